import { blocksProjection } from '../read-models/blocks/projection.js';
import { contactsProjection } from '../read-models/contacts/projection.js';
import { conversationsProjection } from '../read-models/conversations/projection.js';
import { historyProjection } from '../read-models/history/projection.js';
import { resumeIndexProjection } from '../read-models/resume-index/projection.js';
import type { Projection } from '../read-models/projection.js';
import { frameFor } from '../realtime/delivery/frames.js';
import { usersProjection } from '../read-models/users/projection.js';

export const allProjections: readonly Projection[] = [
  usersProjection,
  contactsProjection,
  conversationsProjection,
  historyProjection,
  blocksProjection,
  // Kept by the realtime node's own mapping: it holds exactly the events whose frames are for a user.
  resumeIndexProjection(frameFor),
];

export function projectionNamed(name: string): Projection | undefined {
  return allProjections.find((projection) => projection.name === name);
}
