/** Generators of amendments (with their vote counters), amendment_votes and amendment_comments. */
import { DAY } from '../context.ts';
import { isoTime, NULL } from '../copy-text.ts';
import { between, pick, unit } from '../hash.ts';
import { locate, zipfPick } from '../zipf.ts';
import { amendmentFacts, voteChoice } from './facts.ts';
import type { TableGenerator } from './types.ts';

export const amendments: TableGenerator = {
  table: 'amendments',
  columns: [
    'id',
    'principle_id',
    'proposer_id',
    'title',
    'rationale',
    'status',
    'votes_for',
    'votes_against',
    'votes_abstain',
    'opens_at',
    'closes_at',
    'created_at',
    'updated_at',
    'version',
  ],
  count: (ctx) => ctx.n.amendments,
  prepare(ctx) {
    const [hPrin, hProp, hTitle, hRat, hStatus] = ['principle_id', 'proposer_id', 'title', 'rationale', 'status'].map(
      (c) => ctx.h('amendments', c),
    );
    const { sentences, paragraphs } = ctx.copy;
    return (i) => {
      const id = i + 1;
      const a = amendmentFacts(ctx, id);
      // Counters equal the vote rows by choice (the votes generator emits exactly these).
      let status = 'open';
      if (!a.open)
        status = unit(hStatus(id)) < 0.05 ? 'withdrawn' : a.tally.for > a.tally.against ? 'passed' : 'rejected';
      const updated = isoTime(Math.min(a.closesMs, ctx.refMs));
      return `${id}\t${zipfPick(hPrin(id), ctx.n.principles)}\t${zipfPick(hProp(id), ctx.n.users)}\t${pick(hTitle(id), sentences)}\t${pick(hRat(id), paragraphs)}\t${status}\t${a.tally.for}\t${a.tally.against}\t${a.tally.abstain}\t${isoTime(a.opensMs)}\t${isoTime(a.closesMs)}\t${isoTime(a.createdMs)}\t${updated}\t1`;
    };
  },
};

/**
 * Vote k of amendment a is cast by user (start_a + k*stride_a) mod U + 1 with
 * stride_a coprime to U: distinct voters for k < U, so (amendment_id,
 * voter_id) is unique without remembering who voted.
 */
export const amendmentVotes: TableGenerator = {
  table: 'amendment_votes',
  columns: ['id', 'amendment_id', 'voter_id', 'choice', 'created_at', 'run_id', 'client_request_id'],
  count: (ctx) => ctx.votes.total,
  prepare(ctx) {
    const hTime = ctx.h('amendment_votes', 'created_at');
    const U = ctx.n.users;
    // Votes of one amendment are consecutive rows: its facts are computed once, not per vote.
    let lastAid = 0;
    let a = amendmentFacts(ctx, 1, false);
    return (i) => {
      const { parent: aid, k } = locate(ctx.votes, i);
      if (aid !== lastAid) {
        a = amendmentFacts(ctx, aid, false);
        lastAid = aid;
      }
      const voter = ((a.voterStart + k * a.voterStride) % U) + 1;
      const end = Math.min(a.closesMs, ctx.refMs);
      const at = a.opensMs + Math.floor(unit(hTime(i)) * Math.max(1, end - a.opensMs));
      return `${i + 1}\t${aid}\t${voter}\t${voteChoice(ctx, i, a.pFor)}\t${isoTime(at)}\t${NULL}\t${NULL}`;
    };
  },
};

export const amendmentComments: TableGenerator = {
  table: 'amendment_comments',
  columns: ['id', 'amendment_id', 'author_id', 'body', 'created_at', 'updated_at', 'version'],
  count: (ctx) => ctx.n.amendment_comments,
  prepare(ctx) {
    const [hAm, hAuthor, hBody, hTime] = ['amendment_id', 'author_id', 'body', 'created_at'].map((c) =>
      ctx.h('amendment_comments', c),
    );
    const comments = ctx.copy.comments;
    return (i) => {
      const id = i + 1;
      const aid = zipfPick(hAm(id), ctx.n.amendments);
      const a = amendmentFacts(ctx, aid, false);
      const at = isoTime(Math.min(ctx.refMs, a.createdMs + between(hTime(id), 0, 30 * DAY)));
      return `${id}\t${aid}\t${zipfPick(hAuthor(id), ctx.n.users)}\t${pick(hBody(id), comments)}\t${at}\t${at}\t1`;
    };
  },
};
