//! A checked Open311 request becomes a resident's report: located to its
//! grid and reported as the client's account with source `open311`, routed
//! like any other, in the transaction that records the request (its
//! contact, attributes and photo). A request with only an address waits for
//! a dispatcher to place it; placing it takes the same path.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use gridops_domain::access::Actor;
use gridops_domain::category::Category;
use gridops_domain::geo::Coordinates;
use gridops_domain::incident::Channel;
use gridops_domain::open311::{AttributeValue, RequestDraft, retry_buckets};
use gridops_infra::repo::incidents::{self, PhotoRow};
use gridops_infra::repo::now;
use gridops_infra::repo::open311::{self, PLACED, RequestRow, WAITING};
use gridops_infra::workflow::{NewReport, StepError};
use gridops_infra::{DbConnection, DbError};
use serde::{Deserialize, Serialize};

use super::client::Client;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// A photo sent with a request, already inspected and stored under its
/// content address; kept on a waiting request until it is placed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Media {
    pub photo_key: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub taken_at: Option<NaiveDateTime>,
    pub taken_lat: Option<f64>,
    pub taken_lng: Option<f64>,
    pub original_sha256: String,
}

impl Media {
    fn row(&self, incident_id: &str, uploaded_by: &str, at: NaiveDateTime) -> PhotoRow {
        PhotoRow {
            incident_id: incident_id.to_owned(),
            photo_key: self.photo_key.clone(),
            kind: "before".to_owned(),
            media_type: self.media_type.clone(),
            size_bytes: self.size_bytes,
            uploaded_by: uploaded_by.to_owned(),
            uploaded_at: at,
            taken_at: self.taken_at,
            taken_lat: self.taken_lat,
            taken_lng: self.taken_lng,
            original_sha256: self.original_sha256.clone(),
        }
    }
}

/// A request that passed its checks.
#[derive(Debug, Clone)]
pub struct Checked {
    pub client: Client,
    pub category: Category,
    pub draft: RequestDraft,
    pub attributes: BTreeMap<String, AttributeValue>,
    /// SHA-256 of what was sent (the key and the photo's bytes included).
    pub fingerprint: String,
    pub media: Option<Media>,
}

/// What became of a request: the case (its reference) or a wait.
#[derive(Debug, Clone)]
pub struct Taken {
    pub token: String,
    pub reference: Option<String>,
}

/// Takes a checked request, or answers what its first sending became: the
/// same request from the same key within the retry window is a retry.
pub async fn take(state: &AppState, checked: Checked) -> Result<Taken, ApiError> {
    if let Some(first) = first_sending(state, &checked).await? {
        return Ok(first);
    }
    let at = now();
    let row = request_row(&checked, at);
    let outcome = match checked.draft.point {
        Some(point) => report(state, &checked, point, row).await,
        None => {
            let waiting = row.clone();
            state
                .db
                .write(move |conn| open311::insert_request(conn, &waiting))
                .await
                .map(|()| Taken {
                    token: row.token,
                    reference: None,
                })
                .map_err(StepError::Db)
        }
    };
    match outcome {
        Ok(taken) => Ok(taken),
        // A twin sent at the same moment committed first: answer its result.
        Err(StepError::Db(DbError::Conflict(_))) => first_sending(state, &checked)
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::RequestInProgress, "retry shortly")),
        Err(e) => Err(e.into()),
    }
}

async fn first_sending(state: &AppState, checked: &Checked) -> Result<Option<Taken>, ApiError> {
    let (key, fingerprint) = (checked.client.key.id.clone(), checked.fingerprint.clone());
    Ok(state
        .db
        .run(move |conn| {
            let Some(first) = open311::find_retry(conn, &key, &fingerprint, &retry_buckets(now()))?
            else {
                return Ok(None);
            };
            taken(conn, &first).map(Some)
        })
        .await?)
}

fn taken(conn: &mut DbConnection, row: &RequestRow) -> Result<Taken, DbError> {
    let reference = match &row.incident_id {
        Some(id) => Some(incidents::find(conn, id)?.incident.reference),
        None => None,
    };
    Ok(Taken {
        token: row.token.clone(),
        reference,
    })
}

fn request_row(checked: &Checked, at: NaiveDateTime) -> RequestRow {
    let d = &checked.draft;
    RequestRow {
        token: uuid::Uuid::now_v7().to_string(),
        key_id: checked.client.key.id.clone(),
        fingerprint: checked.fingerprint.clone(),
        retry_window: retry_buckets(at)[0],
        incident_id: None,
        service_code: checked.category.code.clone(),
        description: d.description.trim().to_owned(),
        address: d.address.clone().filter(|a| !a.trim().is_empty()),
        email: d.email.clone(),
        phone: d.phone.clone(),
        first_name: d.first_name.clone(),
        last_name: d.last_name.clone(),
        device_id: d.device_id.clone(),
        account_id: d.account_id.clone(),
        media_url: d.media_url.clone(),
        attributes: serde_json::to_string(&checked.attributes).unwrap_or_else(|_| "{}".into()),
        media: checked
            .media
            .as_ref()
            .and_then(|m| serde_json::to_string(m).ok()),
        created_at: at,
        state: WAITING.to_owned(),
        decided_by: None,
        decided_at: None,
        decision_note: None,
    }
}

/// Reports the request at `point` as the client's account, recording the
/// request (placed) in the same transaction.
async fn report(
    state: &AppState,
    checked: &Checked,
    point: Coordinates,
    mut row: RequestRow,
) -> Result<Taken, StepError> {
    let map = state.areas.current();
    let grid = map
        .locate(point)
        .ok_or_else(|| {
            StepError::Refused(gridops_domain::incident::IncidentError::Invalid {
                field: "lat",
                message: "the point is outside every grid of this city".into(),
            })
        })?
        .code
        .clone();
    let id = uuid::Uuid::now_v7().to_string();
    row.incident_id = Some(id.clone());
    row.state = PLACED.to_owned();
    let new = NewReport {
        id,
        district: map.district_of(&grid),
        category: checked.category.clone(),
        description: checked.draft.description.clone(),
        grid,
        priority: None,
        channel: Channel::Open311,
        lat: point.lat(),
        lng: point.lng(),
        address: row.address.clone(),
        occurred_at: row.created_at,
        handled_on_spot: None,
    };
    let (media, reporter) = (checked.media.clone(), checked.client.key.user_id.clone());
    state
        .workflow
        .report(&checked.client.actor(), new, move |conn, stored| {
            open311::insert_request(conn, &row)?;
            if let Some(media) = media {
                incidents::add_photo(
                    conn,
                    &media.row(&stored.incident.id, &reporter, row.created_at),
                )?;
            }
            Ok(Taken {
                token: row.token.clone(),
                reference: Some(stored.incident.reference.clone()),
            })
        })
        .await
}

/// A dispatcher places a waiting request at `point` (in a grid they
/// dispatch over, checked by the caller) and, if they say so, under another
/// category: it is reported then as the client's account, routed like any
/// other. 409 when it is no longer waiting.
pub async fn place(
    state: &AppState,
    dispatcher: &Actor,
    request: RequestRow,
    category: Category,
    point: Coordinates,
    grid: gridops_domain::area::AreaCode,
) -> Result<String, ApiError> {
    let map = state.areas.current();
    let key_id = request.key_id.clone();
    let key = state
        .db
        .run(move |conn| open311::key_by_id(conn, &key_id))
        .await?;
    let client = Client { key };
    let id = uuid::Uuid::now_v7().to_string();
    let media: Option<Media> = request
        .media
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok());
    let new = NewReport {
        id,
        district: map.district_of(&grid),
        category,
        description: request.description.clone(),
        grid,
        priority: None,
        channel: Channel::Open311,
        lat: point.lat(),
        lng: point.lng(),
        address: request.address.clone(),
        occurred_at: request.created_at,
        handled_on_spot: None,
    };
    let (token, by, reporter) = (
        request.token.clone(),
        dispatcher.user_id.clone(),
        client.key.user_id.clone(),
    );
    let placed = state
        .workflow
        .report(&client.actor(), new, move |conn, stored| {
            let at = now();
            if !open311::decide(
                conn,
                &token,
                PLACED,
                Some(&stored.incident.id),
                None,
                &by,
                at,
            )? {
                // Another dispatcher was faster: roll this report back.
                return Err(DbError::Conflict("the request is no longer waiting".into()));
            }
            if let Some(media) = media {
                incidents::add_photo(conn, &media.row(&stored.incident.id, &reporter, at))?;
            }
            Ok(stored.incident.reference.clone())
        })
        .await;
    match placed {
        Ok(reference) => Ok(reference),
        Err(StepError::Db(DbError::Conflict(_))) => Err(ApiError::new(
            ErrorCode::Conflict,
            "the request was placed or dismissed by someone else",
        )),
        Err(e) => Err(e.into()),
    }
}
