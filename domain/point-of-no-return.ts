/**
 * A task past its point of no return (DESIGN.md: set per specification in the catalog, reached as the
 * milestone `pointOfNoReturn`, spread to its bundle): completed, or in flight to a system that cannot take
 * it back. Any one refuses a cancellation of the order, or an amendment of the items of its bundle.
 */
export interface PointOfNoReturn {
  taskId: string;
  code: string;
  state: string;
  /** The order items of the bundle the task belongs to, as `id (offering)`. */
  items: string[];
}
