/** Dev mode only: faults and outages of the built-in downstream simulator. */
import { and, eq } from 'drizzle-orm';
import { approvalChecks } from '../../downstream/simulator';
import { tasks } from '../../db/schema';
import { systemBackSignal, workflowId } from '../../workflows/contracts';
import type { AppDeps } from '../deps';
import { unprocessable } from '../errors';
import type { InjectFaultBody } from '../schemas/simulator';

/** Fails the next `count` runs of an api task of the catalog or of an approval check (of one customer). */
export async function injectFault(deps: AppDeps, fault: InjectFaultBody) {
  const { taskCode, count, mode, accountId } = fault;
  const known =
    approvalChecks.includes(taskCode) ||
    deps.catalogs.current.specifications.some((s) =>
      s.tasks.some((t) => t.code === taskCode && t.kind === 'api'),
    );
  if (!known)
    throw unprocessable('Unknown task code', [
      {
        field: 'taskCode',
        rule: 'api_task_in_catalog',
        message: `${taskCode} is neither an api task of the catalog nor one of ${approvalChecks.join(', ')}`,
      },
    ]);
  await deps.simulator.injectFault(taskCode, count, mode, accountId);
  return { taskCode, count, mode, accountId: accountId ?? null };
}

/** Marks a downstream system offline (its api tasks wait onHold) or back online, waking who waits on it. */
export async function setSystemStatus(deps: AppDeps, system: string, offline: boolean) {
  await deps.simulator.setOffline(system, offline);
  let resumed = 0;
  if (!offline) {
    // Wake the domain orders holding its tasks; they would also notice within a minute by themselves.
    const held = await deps.database.db
      .selectDistinct({ domainOrderId: tasks.domainOrderId })
      .from(tasks)
      .where(and(eq(tasks.state, 'onHold'), eq(tasks.system, system)));
    await Promise.all(
      held.map(({ domainOrderId }) =>
        deps.temporal.workflow
          .getHandle(workflowId.domainOrder(domainOrderId))
          .signal(systemBackSignal, { system })
          .catch(() => undefined),
      ),
    );
    resumed = held.length;
  }
  return { system, offline, domainOrdersWoken: resumed };
}
