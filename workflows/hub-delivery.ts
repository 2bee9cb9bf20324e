import { ActivityFailure, continueAsNew, sleep } from '@temporalio/workflow';
import { hubProxies } from './activity-proxies';
import type { HubDeliveryInput } from './contracts';

/** Polls before the history is handed to a fresh run (each idle poll is a handful of events). */
const ROUNDS_PER_RUN = 100;

/**
 * One TMF hub subscription's deliveries (`hub:<subscriptionId>`): every event after its cursor, in the
 * order the outbox committed them, each to the listener until it answers 2xx. A listener that is down is
 * retried with backoff for the subscription's window (24 hours by default); then the subscription is
 * marked `failing` and the same event is tried every `failingRetryMs` until it is taken, after which the
 * rest follows in order. Temporal keeps the place: a worker that dies resumes where the history says.
 * Ends when the subscription is deleted.
 */
export async function hubDelivery(input: HubDeliveryInput): Promise<void> {
  const { subscriptionId, settings } = input;
  const { poll, deliver, deliverOnce } = hubProxies(settings);
  for (let round = 0; round < ROUNDS_PER_RUN; round++) {
    const next = await poll.hubNextEvents(subscriptionId, settings.pollMs);
    if (next.gone) return;
    for (const seq of next.seqs) {
      let outcome: string;
      try {
        outcome = await deliver.hubDeliver(subscriptionId, seq);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        await poll.hubMarkFailing(subscriptionId);
        outcome = await untilTaken(
          () => deliverOnce.hubDeliver(subscriptionId, seq),
          settings.failingRetryMs,
        );
      }
      if (outcome === 'gone') return;
    }
  }
  await continueAsNew<typeof hubDelivery>(input);
}

async function untilTaken(attempt: () => Promise<string>, everyMs: number): Promise<string> {
  for (;;) {
    await sleep(everyMs);
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
    }
  }
}
