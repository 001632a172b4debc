//! Ballots that close at their time: closed by the first tick after it
//! (also the catch-up tick of a start, when the bot was down then), and
//! their result posted to the bloc group once: closed and announced are
//! marks of their own, so a restart neither repeats nor drops the post.

use super::deliver::{self, Outcome};
use super::{Env, Sender, TickReport};
use crate::storage::ballots;
use crate::storage::{Result, Scope, blocs};
use crate::text::{BallotView, Lang};

/// Closes the ballots past their time, then posts every closed ballot's
/// result not yet posted.
pub(super) async fn close_due(
    env: &Env,
    bot: &Sender,
    backoff: std::time::Duration,
) -> Result<TickReport> {
    let now = env.clock.now();
    {
        let mut tx = env.db.write_scoped(Scope::Uncached).await?;
        for b in ballots::due(&mut tx, now).await? {
            ballots::close(&mut tx, b.id, b.closes_at, false).await?;
        }
        tx.commit().await?;
    }
    let mut report = TickReport::default();
    let pending = {
        let mut conn = env.db.pool().acquire().await?;
        let mut pending = Vec::new();
        for b in ballots::unannounced(&mut conn).await? {
            let Some(bloc) = blocs::by_id(&mut conn, b.bloc_id).await? else {
                continue;
            };
            let cands = ballots::candidates(&mut conn, b.id).await?;
            let voted = ballots::voted(&mut conn, b.id).await?;
            let text = Lang::Vi
                .texts()
                .ballot_result(&BallotView::of(&bloc, &b, &cands, voted));
            pending.push((b.id, bloc.chat_id, text));
        }
        pending
    };
    for (id, chat, text) in pending {
        // Sent first, then marked: a crash in between posts it once more
        // at worst, as for reminders.
        let done = match deliver::send(bot, env, chat, &text, backoff).await {
            Outcome::Sent => {
                report.sent += 1;
                true
            }
            // The group is gone for the bot: the result stays in /ballot.
            Outcome::Forbidden(_) => {
                report.failed += 1;
                true
            }
            Outcome::Migrated(new_chat) => {
                let mut tx = env.db.write().await?;
                blocs::move_chat(&mut tx, chat, new_chat).await?;
                tx.commit().await?;
                report.pending += 1;
                false
            }
            Outcome::Refused(reason) | Outcome::Later(reason) => {
                tracing::warn!(ballot = id, reason = %reason, "posting a ballot's result failed; will retry next tick");
                report.pending += 1;
                false
            }
        };
        if done {
            let mut tx = env.db.write_scoped(Scope::Uncached).await?;
            ballots::announced(&mut tx, id, env.clock.now()).await?;
            tx.commit().await?;
        }
    }
    Ok(report)
}
