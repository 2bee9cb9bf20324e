/** The colours of states and marks, shared by the Mermaid and SVG pictures so both read the same. */

export interface StateColour {
  fill: string;
  stroke: string;
}

const waiting: StateColour = { fill: '#eceff1', stroke: '#90a4ae' };
const moving: StateColour = { fill: '#bbdefb', stroke: '#1e88e5' };
const done: StateColour = { fill: '#c8e6c9', stroke: '#43a047' };
const broken: StateColour = { fill: '#ffcdd2', stroke: '#e53935' };
const paused: StateColour = { fill: '#ffe0b2', stroke: '#fb8c00' };
const dropped: StateColour = { fill: '#f5f5f5', stroke: '#bdbdbd' };

/** Every state of orders, domain orders and tasks (domain/states.ts) falls in one of six families. */
const families: Record<string, StateColour> = {
  acknowledged: waiting,
  pending: waiting,
  ready: waiting,
  inProgress: moving,
  running: moving,
  assessingCancellation: moving,
  pendingCancellation: moving,
  completed: done,
  skipped: done,
  failed: broken,
  fatallyFailed: broken,
  rejected: broken,
  partial: paused,
  held: paused,
  onHold: paused,
  cancelled: dropped,
  superseded: dropped,
};

export const colourOf = (state: string): StateColour => families[state] ?? waiting;

/** The legend: one state per family. */
export const legend = ['pending', 'running', 'completed', 'fatallyFailed', 'held', 'cancelled'];

export const jeopardyStroke = { yellow: '#f9a825', red: '#c62828' } as const;
export const falloutColour = '#c62828';
