/** What middleware hands to handlers: the tenant every query is scoped to, and the key's name for logs. */
export interface ApiEnv {
  Variables: {
    tenant: string;
    keyName: string;
    /** The key is an operator key over every tenant (it named this one with ?tenant=). */
    allTenants: boolean;
  };
}
