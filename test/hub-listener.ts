/**
 * A TMF hub listener served by a test on loopback: records every delivery in the order it arrived and
 * answers 204, or 500 while `down`. `events()` gives one correlation's events each once (deduplicated by
 * `eventId`, as a listener is told to), in the order first received.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubEvent {
  eventId: string;
  eventType: string;
  eventTime: string;
  correlationId: string;
  description?: string;
  event: {
    productOrder?: { id: string; state: string };
    cancelProductOrder?: { id: string; state: string };
  };
}

export interface Delivery {
  headers: IncomingHttpHeaders;
  raw: string;
  body: HubEvent;
}

export class Listener {
  readonly deliveries: Delivery[] = [];
  down = false;
  url = '';
  private server!: Server;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        if (this.down) {
          res.writeHead(500).end();
          return;
        }
        this.deliveries.push({ headers: req.headers, raw, body: JSON.parse(raw) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/events`;
    return this;
  }

  /** Each event of `correlationId` once, in the order first received. */
  events(correlationId: string): HubEvent[] {
    const seen = new Set<string>();
    return this.deliveries
      .map((d) => d.body)
      .filter((e) => e.correlationId === correlationId && !seen.has(e.eventId) && seen.add(e.eventId));
  }

  stop = () => new Promise<void>((resolve) => this.server.close(() => resolve()));
}
