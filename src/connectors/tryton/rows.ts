// Rows read from Tryton models that several flows read with fields of their own.

/** A stock.move as every flow reads it; each adds the fields its query asks for. */
export interface StockMoveRow {
  id: number;
  product: number;
  quantity: number;
  state: string;
  origin: string | null;
}
