import { assertNever } from '../decider.js';
import type { ConversationCommand } from './commands.js';
import { addMember, createGroup, removeMember } from './decide-membership.js';
import { deleteMessage, editMessage, markRead, sendMessage } from './decide-messages.js';
import type { ConversationEvent } from './events.js';
import type { ConversationState } from './state.js';

export function decide(command: ConversationCommand, state: ConversationState): ConversationEvent[] {
  switch (command.type) {
    case 'CreateGroup':
      return createGroup(command, state);
    case 'AddMember':
      return addMember(command, state);
    case 'RemoveMember':
      return removeMember(command, state);
    case 'SendMessage':
      return sendMessage(command, state);
    case 'EditMessage':
      return editMessage(command, state);
    case 'DeleteMessage':
      return deleteMessage(command, state);
    case 'MarkRead':
      return markRead(command, state);
    default:
      return assertNever(command);
  }
}
