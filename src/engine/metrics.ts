import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one running hub; scraped at /metrics. */
export class HubMetrics {
  readonly registry = new Registry();
  readonly messagesReceived = new Counter({ name: 'causeway_messages_received_total', help: 'Messages stored in the inbox', labelNames: ['tenant', 'endpoint'], registers: [this.registry] });
  readonly messagesDuplicate = new Counter({ name: 'causeway_messages_duplicate_total', help: 'Messages recognised as duplicates and not processed again', labelNames: ['tenant', 'endpoint'], registers: [this.registry] });
  readonly messagesQuarantined = new Counter({ name: 'causeway_messages_quarantined_total', help: 'Messages that could not be decoded or validated', labelNames: ['tenant', 'endpoint'], registers: [this.registry] });
  readonly documents = new Counter({ name: 'causeway_documents_total', help: 'Canonical documents produced', labelNames: ['tenant', 'type'], registers: [this.registry] });
  readonly attempts = new Counter({ name: 'causeway_delivery_attempts_total', help: 'Delivery attempts by outcome', labelNames: ['endpoint', 'outcome'], registers: [this.registry] });
  readonly deadLetters = new Counter({ name: 'causeway_dead_letters_total', help: 'Deliveries given up on', labelNames: ['endpoint'], registers: [this.registry] });
  readonly syncLatency = new Histogram({
    name: 'causeway_sync_latency_seconds', help: 'Event at source (occurredAt) to delivered at target', labelNames: ['endpoint'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 900, 3600], registers: [this.registry],
  });
  readonly circuitOpen = new Gauge({ name: 'causeway_circuit_open', help: '1 while an endpoint\'s circuit is open', labelNames: ['endpoint'], registers: [this.registry] });
  readonly alertsRaised = new Counter({ name: 'causeway_alerts_total', help: 'Alerts raised (a partner rejected what was sent, an acknowledgment is overdue)', labelNames: ['tenant', 'kind'], registers: [this.registry] });
  readonly backlog = new Gauge({ name: 'causeway_backlog', help: 'Deliveries waiting per endpoint', labelNames: ['endpoint'], registers: [this.registry] });
  readonly inventoryAccuracy = new Gauge({
    name: 'causeway_inventory_accuracy_ratio', help: 'Share of compared stock positions on which ERP and warehouse agree, after in-flight corrections, in the newest reconciliation (facility "all": overall)',
    labelNames: ['tenant', 'facility'], registers: [this.registry],
  });

  /**
   * With tenantLabels false every series is summed over tenants: the tenant label is left empty,
   * which Prometheus reads as no label, so a scraper shared with others never learns the clients' names.
   */
  constructor(defaults = true, private readonly tenantLabels = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'causeway_process_' });
  }

  /** The value of the tenant label for this tenant. */
  tenant(tenant: string): string {
    return this.tenantLabels ? tenant : '';
  }
}
