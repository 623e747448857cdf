//! The problem ledger 挂账 steps that are not a plain request step: a
//! dispatcher's review, and the end of a stopped clock with a word of why.
//! Asking, approving and refusing are [`Workflow::ask_for_time`] and
//! [`Workflow::decide_request`], as for suspensions and extensions.

use chrono::NaiveDate;
use gridops_domain::access::Actor;
use gridops_domain::deadline::ledger::{self, REVIEWED};
use gridops_domain::deadline::request::{self, ClockRequest};

use super::{Outcome, StepError, Workflow, commit, find_request, refuse};
use crate::db::DbError;
use crate::repo::incidents;
use crate::repo::{calendar, ledger as ledger_rows, now};

impl Workflow {
    /// A dispatcher covering the case reviews it in the ledger: the next
    /// review date (which re-arms the reminder), and a `ledger_reviewed`
    /// timeline entry with the note, in one transaction.
    pub async fn review_ledger(
        &self,
        actor: &Actor,
        id: &str,
        rid: &str,
        note: String,
        next_review_on: NaiveDate,
    ) -> Result<ClockRequest, StepError> {
        self.visible(actor, id).await?;
        let (actor, id, rid) = (actor.clone(), id.to_owned(), rid.to_owned());
        let reviewed = self
            .db
            .write(move |conn| -> Outcome<ClockRequest> {
                let incident = incidents::find(conn, &id)?.incident;
                let request = match find_request(conn, &incident.id, &rid) {
                    Ok(request) => request,
                    Err(e) => return refuse(e),
                };
                let at = now();
                let today = calendar::load(conn, at)?.local_date(at);
                let review = match ledger::review(
                    &incident,
                    &actor,
                    &request,
                    note,
                    next_review_on,
                    today,
                    at,
                ) {
                    Ok(review) => review,
                    Err(e) => return Ok(Err(e.into())),
                };
                if !ledger_rows::reviewed(conn, &review)? {
                    // Taken out of the ledger meanwhile; this rolls back.
                    return Err(DbError::Conflict(format!(
                        "ledger entry {} left before its review",
                        review.request.id
                    )));
                }
                commit::note(
                    conn,
                    &incident,
                    REVIEWED,
                    &review.actor_id,
                    Some(&review.note),
                    at,
                    &[],
                )?;
                Ok(Ok(review.request))
            })
            .await??;
        self.committed(0);
        Ok(reviewed)
    }

    /// The handler in charge or a covering dispatcher ends a running
    /// suspension, or takes a case out of the ledger back into work; the
    /// note, if any, goes on the timeline.
    pub async fn end_request(
        &self,
        actor: &Actor,
        id: &str,
        rid: &str,
        note: Option<String>,
    ) -> Result<ClockRequest, StepError> {
        self.visible(actor, id).await?;
        let (actor, rid) = (actor.clone(), rid.to_owned());
        self.request_step(
            move |conn, incident| {
                let request = find_request(conn, &incident.id, &rid)?;
                Ok(request::end(incident, &actor, &request, note, now())?)
            },
            id,
        )
        .await
    }
}
