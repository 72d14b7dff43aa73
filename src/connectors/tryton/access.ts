import { TrytonError } from './errors.ts';
import type { TrytonRpc } from './rpc.ts';

/**
 * What one of the connector's reads or writes does in Tryton: the models it reads, writes,
 * creates and deletes, and the workflow buttons it presses. Declared next to the code that makes
 * the calls, so the check below asks Tryton about exactly what that code will do.
 */
export interface TrytonAccess {
  read?: readonly string[];
  write?: readonly string[];
  create?: readonly string[];
  delete?: readonly string[];
  buttons?: ReadonlyArray<readonly [model: string, button: string]>;
}

type Permission = 'read' | 'write' | 'create' | 'delete';
const PERMISSIONS: readonly Permission[] = ['read', 'write', 'create', 'delete'];

/** One thing the Tryton user may not do, with the groups that would let it. */
export interface MissingAccess {
  what: string;
  groups: string[];
}

/**
 * What the connector's Tryton user lacks for `needs`, asked of Tryton itself and decided as
 * Tryton decides it: model access from `ir.model.access.get_access` (the call Tryton's own client
 * makes), a button by its groups (`ir.model.button`: any one of them will do, counting the groups
 * a user's groups inherit from) or, when it names none, by write access to its model.
 */
export async function missingAccess(rpc: TrytonRpc, needs: TrytonAccess): Promise<MissingAccess[]> {
  const buttons = needs.buttons ?? [];
  const buttonRows = buttons.length === 0 ? [] : await rpc.searchRead<{ name: string; groups: number[]; 'model.': { model: string } }>('ir.model.button',
    [['model.model', 'in', [...new Set(buttons.map(([m]) => m))]], ['name', 'in', [...new Set(buttons.map(([, b]) => b))]]], ['name', 'groups', 'model.model']);
  const groupsOfButton = (model: string, button: string) => buttonRows.find((r) => r['model.'].model === model && r.name === button)?.groups ?? [];

  const wanted = new Map<string, Set<Permission>>();
  const want = (model: string, permission: Permission) => wanted.set(model, (wanted.get(model) ?? new Set()).add(permission));
  for (const permission of PERMISSIONS) for (const model of needs[permission] ?? []) want(model, permission);
  for (const [model, button] of buttons) {
    // Tryton checks read access on the model for every button, write access for a button without groups.
    want(model, 'read');
    if (groupsOfButton(model, button).length === 0) want(model, 'write');
  }

  const models = [...wanted.keys()];
  const granted = await rpc.call<Record<string, Record<Permission, boolean | number>>>('model.ir.model.access.get_access', [models]);
  const missing: MissingAccess[] = [];
  for (const [model, permissions] of wanted) {
    for (const permission of permissions) {
      if (!granted[model]?.[permission]) missing.push({ what: `${permission} ${model}`, groups: await groupsGranting(rpc, model, permission) });
    }
  }

  const restricted = buttons.filter(([m, b]) => groupsOfButton(m, b).length > 0);
  if (restricted.length > 0) {
    const mine = await userGroups(rpc);
    for (const [model, button] of restricted) {
      const allowed = groupsOfButton(model, button);
      if (!allowed.some((g) => mine.has(g))) missing.push({ what: `press ${button} on ${model}`, groups: await groupNames(rpc, allowed) });
    }
  }
  return missing;
}

/**
 * Throws a permanent TRYTON_ACCESS error naming what the user lacks and the groups that grant
 * it. Called before the first change a document makes, so a refusal leaves Tryton untouched.
 */
export async function requireAccess(rpc: TrytonRpc, needs: TrytonAccess): Promise<void> {
  const missing = await missingAccess(rpc, needs);
  if (missing.length === 0) return;
  const groups = [...new Set(missing.map((m) => m.groups[0]).filter((g): g is string => g !== undefined))];
  const details = missing.map((m) => `${m.what} (${m.groups.length > 0 ? `group ${m.groups.join(' or ')}` : 'no group grants it directly'})`).join('; ');
  const add = groups.length === 0 ? 'give the user a group that grants it' : `add the user to the group${groups.length > 1 ? 's' : ''} ${groups.join(', ')}`;
  throw new TrytonError('TRYTON_ACCESS', `the Tryton user ${rpc.user} may not ${details}: ${add} in Tryton (checked before any change was made)`);
}

/** The user's groups and every group they inherit accesses from, as Tryton counts them. */
async function userGroups(rpc: TrytonRpc): Promise<Set<number>> {
  // Asked afresh, not taken from the cached context: groups change while Causeway runs.
  const preferences = await rpc.call<{ groups?: number[] }>('model.res.user.get_preferences', [true]);
  const parents = new Map((await rpc.searchRead<{ id: number; parent: number | null }>('res.group', [], ['parent'])).map((g) => [g.id, g.parent]));
  const groups = new Set<number>();
  for (let next: number[] = preferences.groups ?? []; next.length > 0;) {
    next = next.filter((g) => !groups.has(g));
    next.forEach((g) => groups.add(g));
    next = next.map((g) => parents.get(g)).filter((p): p is number => typeof p === 'number');
  }
  return groups;
}

async function groupsGranting(rpc: TrytonRpc, model: string, permission: Permission): Promise<string[]> {
  const rows = await rpc.searchRead<{ 'group.': { name: string } | null }>('ir.model.access',
    [['model.model', '=', model], [`perm_${permission}`, '=', true], ['group', '!=', null]], ['group.name'], { order: [['id', 'ASC']] });
  return [...new Set(rows.map((r) => r['group.']?.name).filter((n): n is string => n !== undefined))];
}

async function groupNames(rpc: TrytonRpc, ids: number[]): Promise<string[]> {
  const rows = await rpc.read<{ id: number; name: string }>('res.group', ids, ['name']);
  return rows.sort((a, b) => a.id - b.id).map((r) => r.name);
}
