import { describe, expect, it } from 'vitest';
import { runDag, Semaphore } from '../../workflows/dag';

describe('runDag', () => {
  it('runs in dependency order, in parallel where it can, and never past the limit', async () => {
    const log: string[] = [];
    let inFlight = 0;
    let peak = 0;
    const nodes = [
      { id: 'overlay', dependsOn: ['access', 'cpe'] },
      { id: 'access', dependsOn: [] },
      { id: 'cpe', dependsOn: [] },
      { id: 'billing', dependsOn: ['overlay'] },
      { id: 'extra', dependsOn: [] },
    ];
    const outcomes = await runDag(
      nodes,
      async (n) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        log.push(`start ${n.id}`);
        await new Promise((r) => setTimeout(r, 5));
        log.push(`end ${n.id}`);
        inFlight--;
        return 'completed';
      },
      2,
    );
    expect(peak).toBe(2);
    expect([...outcomes.values()]).toEqual(['completed', 'completed', 'completed', 'completed', 'completed']);
    expect(log.indexOf('start overlay')).toBeGreaterThan(
      Math.max(log.indexOf('end access'), log.indexOf('end cpe')),
    );
    expect(log.indexOf('start billing')).toBeGreaterThan(log.indexOf('end overlay'));
  });

  it('does not run what depends on a failure, and goes on with everything else', async () => {
    const ran: string[] = [];
    const outcomes = await runDag(
      [
        { id: 'a', dependsOn: [] },
        { id: 'b', dependsOn: ['a'] },
        { id: 'c', dependsOn: [] },
      ],
      async (n) => {
        ran.push(n.id);
        return n.id === 'a' ? 'failed' : 'completed';
      },
      10,
    );
    expect(ran.sort()).toEqual(['a', 'c']);
    expect(Object.fromEntries(outcomes)).toEqual({ a: 'failed', b: 'notRun', c: 'completed' });
  });

  it('hands permits out first come, first served', async () => {
    const semaphore = new Semaphore(1);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((i) => semaphore.with(async () => void order.push(i))));
    expect(order).toEqual([1, 2, 3]);
  });
});
