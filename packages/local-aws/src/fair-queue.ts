/**
 * A round-robin queue over lanes: items of one lane keep their order, and lanes take turns, so a lane holding a
 * hundred items delays another lane's next item by at most one item.
 *
 * @example
 * ```ts
 * const q = new FairQueue<string>();
 * q.push('a', 'a1'); q.push('a', 'a2'); q.push('b', 'b1');
 * [q.shift(), q.shift(), q.shift()]; // ['a1', 'b1', 'a2']
 * ```
 */
export class FairQueue<T> {
  /** Lanes in turn order (a Map keeps insertion order; a served lane moves to the back). */
  private readonly lanes = new Map<string, T[]>();
  private count = 0;

  /** Items waiting in all lanes. */
  get size(): number {
    return this.count;
  }

  /** Appends `item` to the lane `key`. */
  push(key: string, item: T): void {
    const lane = this.lanes.get(key);
    if (lane) lane.push(item);
    else this.lanes.set(key, [item]);
    this.count++;
  }

  /** The next item: the head of the lane whose turn it is (that lane then goes to the back). */
  shift(): T | undefined {
    for (const [key, lane] of this.lanes) {
      const item = lane.shift();
      this.lanes.delete(key);
      if (lane.length > 0) this.lanes.set(key, lane);
      if (item !== undefined) {
        this.count--;
        return item;
      }
    }
    return undefined;
  }

  /** Removes `item` wherever it waits; whether it was there. */
  remove(item: T): boolean {
    for (const [key, lane] of this.lanes) {
      const at = lane.indexOf(item);
      if (at === -1) continue;
      lane.splice(at, 1);
      if (lane.length === 0) this.lanes.delete(key);
      this.count--;
      return true;
    }
    return false;
  }
}
