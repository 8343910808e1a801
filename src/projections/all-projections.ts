import { blocksProjection } from './blocks-projection.js';
import { contactsProjection } from './contacts-projection.js';
import { conversationsProjection } from './conversations-projection.js';
import { historyProjection } from './history-projection.js';
import { resumeIndexProjection } from '../realtime/delivery/resume-index.js';
import type { Projection } from './projection.js';
import { usersProjection } from './users-projection.js';

export const allProjections: readonly Projection[] = [
  usersProjection,
  contactsProjection,
  conversationsProjection,
  historyProjection,
  blocksProjection,
  resumeIndexProjection,
];

export function projectionNamed(name: string): Projection | undefined {
  return allProjections.find((projection) => projection.name === name);
}
