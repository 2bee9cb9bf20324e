import type { AppDeps } from '../deps';
import type { ComponentHealth, Health } from '../schemas/health';

async function check(
  probe: () => Promise<unknown>,
  detail: string,
  timeoutMs = 2000,
): Promise<ComponentHealth> {
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
    return { status: 'up', detail };
  } catch (err) {
    return { status: 'down', detail: `${detail}: ${(err as Error).message}` };
  }
}

/** Whether Temporal and the database answer, each within two seconds. */
export async function checkHealth(deps: AppDeps): Promise<Health> {
  const [temporal, database] = await Promise.all([
    check(
      () => deps.temporal.connection.workflowService.getSystemInfo({}),
      `namespace ${deps.temporal.options.namespace}`,
    ),
    check(() => deps.database.ping(), deps.database.location),
  ]);
  const status = temporal.status === 'up' && database.status === 'up' ? 'up' : 'down';
  return { status, temporal, database };
}
