/**
 * Work under way, by key: whoever asks for a key already being worked on shares that promise
 * instead of starting the work again. The key is forgotten once the work settles.
 */
export class InFlight<T> {
  private readonly flights = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    let flight = this.flights.get(key);
    if (!flight) {
      flight = work().finally(() => this.flights.delete(key));
      this.flights.set(key, flight);
    }
    return flight;
  }
}
