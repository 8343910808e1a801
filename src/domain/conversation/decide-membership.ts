import { refuse } from '../errors.js';
import type { AddMember, CreateGroup, RemoveMember } from './commands.js';
import type { ConversationEvent } from './events.js';
import { asGroup, asMember, sorted } from './guards.js';
import { MAX_GROUP_MEMBERS, MAX_TITLE_LENGTH, type ConversationState } from './state.js';

export function createGroup(command: CreateGroup, state: ConversationState): ConversationEvent[] {
  if (state.status !== 'none') throw refuse('conversation_exists', 'this conversation already exists');
  const title = command.title.trim();
  if (title.length === 0 || title.length > MAX_TITLE_LENGTH) {
    throw refuse('invalid_title', `a group title must be 1 to ${MAX_TITLE_LENGTH} characters after trimming`);
  }
  if ((command.blockedBy ?? []).length > 0) {
    throw refuse('blocked', 'someone you want in this group blocks you');
  }
  const memberIds = sorted(new Set([command.actorId, ...command.memberIds]));
  if (memberIds.length > MAX_GROUP_MEMBERS) {
    throw refuse('too_many_members', `a group has at most ${MAX_GROUP_MEMBERS} members`);
  }
  return [
    {
      type: 'GroupCreated',
      data: {
        conversationId: command.conversationId,
        title,
        creatorId: command.actorId,
        memberIds,
        createdAt: command.now,
      },
    },
  ];
}

export function addMember(command: AddMember, state: ConversationState): ConversationEvent[] {
  const group = asGroup(asMember(state, command.actorId));
  if (group.members.has(command.userId)) return [];
  if (command.blockedBy?.includes(command.userId)) throw refuse('blocked', 'this user blocks you');
  if (group.members.size >= MAX_GROUP_MEMBERS) {
    throw refuse('too_many_members', `a group has at most ${MAX_GROUP_MEMBERS} members`);
  }
  return [
    {
      type: 'MemberAdded',
      data: {
        conversationId: group.conversationId,
        userId: command.userId,
        addedBy: command.actorId,
        readUpToSeq: group.lastSeq,
        recipientIds: sorted([...group.members, command.userId]),
        addedAt: command.now,
      },
    },
  ];
}

export function removeMember(command: RemoveMember, state: ConversationState): ConversationEvent[] {
  const group = asGroup(asMember(state, command.actorId));
  if (command.userId !== command.actorId && group.creatorId !== command.actorId) {
    throw refuse('not_the_creator', 'only the creator of a group may remove other members');
  }
  if (!group.members.has(command.userId)) throw refuse('member_not_found', 'that user is not a member');
  return [
    {
      type: 'MemberRemoved',
      data: {
        conversationId: group.conversationId,
        userId: command.userId,
        removedBy: command.actorId,
        recipientIds: sorted(group.members),
        removedAt: command.now,
      },
    },
  ];
}
