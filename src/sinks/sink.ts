// Every file a run writes is a Sink: opened by its constructor (or factory), handed items one at a
// time, closed once. Closing says what was written, and those numbers are what report.json shows:
// a count is taken where the thing is written, never by reading the file back.

export interface Sink<Item, Stats> {
  /** May return nothing when the sink only buffers (callers that cannot await, such as a reader's
   *  callbacks, use it so); awaiting it is always right. */
  write(item: Item): Promise<void> | void;
  /** Finishes the file and says what it holds. */
  close(): Promise<Stats>;
}
