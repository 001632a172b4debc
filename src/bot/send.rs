//! What a command produced, handed to the per-chat send queues
//! ([`crate::delivery`]): its replies, its refusal, or an apology. Nothing
//! here waits for Telegram.

use super::context::{App, Fail, Out, Req};
use crate::domain::CommandKind;
use crate::metrics::Handled;
use crate::text;

/// Queues one message of update `update_id`.
pub fn out(app: &App, update_id: i64, out: Out) {
    app.delivery.send(update_id, vec![out]);
}

/// Queues what a command produced, into the topic it came from.
pub fn outcome(app: &App, req: &Req, kind: CommandKind, result: Result<Vec<Out>, Fail>) {
    if let Err(e) = &result
        && e.applied_elsewhere()
    {
        tracing::info!(
            update_id = req.update_id,
            "update applied by another replica"
        );
        return;
    }
    app.metrics.command(
        kind,
        match &result {
            Ok(_) => Handled::Ok,
            Err(Fail::Refused(_)) => Handled::Refused,
            Err(_) => Handled::Error,
        },
    );
    let mut outs = match result {
        Ok(outs) => outs,
        Err(Fail::Refused(r)) => vec![Out::to(req.chat_id, text::refusal(req.lang, &r, kind))],
        Err(e) => {
            tracing::error!(update_id = req.update_id, error = %app.redact(&e.to_string()), "command failed");
            vec![Out::to(req.chat_id, req.t().internal_error())]
        }
    };
    req.in_thread(&mut outs);
    app.delivery.send(req.update_id, outs);
}
