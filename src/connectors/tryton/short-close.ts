// The shipment references that mark a short-close, shared by reading cancels and writing statuses.

/**
 * The reference a backorder shipment gets when the connector cancels it for a short-close: reading
 * order cancels passes it by (the warehouse closed the order itself; there is nothing to cancel
 * there), and a delivery cut short between marking and cancelling finds it again.
 */
export const SHORT_CLOSED_REFERENCE = 'short-closed by the warehouse';
/**
 * The reference of an open shipment the warehouse closed short before its shipment reached
 * Tryton: applying that shipment takes it as the order's open shipment and then cancels the
 * backorder Tryton opens for the rest.
 */
export const SHORT_CLOSE_PENDING = 'short-close pending';
