/** The fall-out queue (stage 8): cases to work, and their handling as updates of the case's workflow. */
import { and, asc, eq, type SQL } from 'drizzle-orm';
import { falloutCases } from '../../db/schema';
import { resolveUpdate, workflowId, workUpdate } from '../../workflows/contracts';
import type { Principal } from '../../domain/roles';
import { actingRole } from '../auth/access';
import type { AppDeps } from '../deps';
import { invalidState, notFound } from '../errors';
import type { ListFalloutsQuery, ResolveFalloutBody, WorkFalloutBody } from '../schemas/fallouts';

export async function listFallouts({ database: { db } }: AppDeps, query: ListFalloutsQuery) {
  const { state, orderId, type, group } = query;
  const where: SQL[] = [];
  if (state) where.push(eq(falloutCases.state, state));
  if (orderId) where.push(eq(falloutCases.orderId, orderId));
  if (type) where.push(eq(falloutCases.type, type));
  if (group) where.push(eq(falloutCases.assignmentGroup, group));
  const fallouts = await db
    .select()
    .from(falloutCases)
    .where(and(...where))
    .orderBy(asc(falloutCases.openedAt))
    .limit(1000);
  return { fallouts };
}

export async function getFallout({ database: { db } }: AppDeps, caseId: string) {
  const found = await db.query.falloutCases.findFirst({ where: eq(falloutCases.id, caseId) });
  if (!found) throw notFound('Fall-out case', caseId);
  return found;
}

/** Take a case, put it on hold (its escalation stops) or release it: update `work`. */
export async function workOnFallout(deps: AppDeps, caseId: string, work: WorkFalloutBody & { by: string }) {
  const found = await getFallout(deps, caseId);
  if (found.state === 'resolved' || found.state === 'cancelled')
    throw invalidState(`Fall-out ${found.id} is already ${found.state}`);
  await deps.temporal.workflow
    .getHandle(workflowId.fallout(found.id))
    .executeUpdate(workUpdate, { args: [work] });
  return getFallout(deps, found.id);
}

/** Retry, skip, complete (with data) or abort: update `resolve`, whose validator refuses what does not fit. */
export async function resolveFallout(
  deps: AppDeps,
  caseId: string,
  resolution: ResolveFalloutBody & { by: string },
  principal: Principal,
) {
  // Aborting gives up the order's remaining work: an order manager's call, not the agent's alone.
  if (resolution.action === 'abort')
    actingRole(principal, ['orderManager'], 'Aborting an order from a fall-out');
  const found = await getFallout(deps, caseId);
  if (found.state === 'resolved' || found.state === 'cancelled')
    throw invalidState(`Fall-out ${found.id} is already ${found.state} (${found.resolution?.action})`);
  await deps.temporal.workflow
    .getHandle(workflowId.fallout(found.id))
    .executeUpdate(resolveUpdate, { args: [resolution] });
  return getFallout(deps, found.id);
}
