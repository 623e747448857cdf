//! A case as the public reads it through Open311: its spec status (and
//! mySociety's extended one), the latest public step as `status_notes`, the
//! party as `agency_responsible`, the resolve deadline as
//! `expected_datetime`, and only what the category's privacy allows.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use gridops_domain::area::{AreaCode, AreaMap};
use gridops_domain::geo::Coordinates;
use gridops_domain::incident::{ActionKind, EventDetail, RejectReason, Status};
use gridops_domain::open311::{PublicStep, public_step, public_view, status_of};
use gridops_infra::repo::open311::{PublicCase, PublicEvent};

use super::format::{ServiceRequest, ServiceRequestUpdate};

/// How the reader wants the words: English or Chinese, and whether the
/// status carries mySociety's extended values.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reading {
    pub english: bool,
    pub extended: bool,
}

/// Party code → (Chinese name, English name).
pub type PartyNames = HashMap<String, (String, String)>;

fn utc(at: NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    at.and_utc()
}

fn detail(event: &PublicEvent) -> Option<EventDetail> {
    event
        .detail
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
}

fn rejection(case: &PublicCase, events: &[&PublicEvent]) -> Option<RejectReason> {
    let recorded = events.iter().rev().find_map(|e| match detail(e) {
        Some(EventDetail::Rejected { reason }) => Some(reason),
        _ => None,
    });
    recorded.or_else(|| {
        case.duplicate_of
            .clone()
            .map(|of| RejectReason::Duplicate { of })
    })
}

/// The public step of one event and the party it names. What the actor
/// wrote (a result) is shown only for a public category: a care visit's
/// result names the person.
fn step_of(event: &PublicEvent, public: bool) -> Option<(PublicStep, Option<String>)> {
    let action = ActionKind::parse(&event.action)?;
    let detail = detail(event);
    let (party, reason) = match &detail {
        Some(EventDetail::Dispatched { party, .. }) => (Some(party.as_str()), None),
        Some(EventDetail::Rejected { reason }) => (None, Some(reason)),
        _ => (None, None),
    };
    let note = event.note.as_deref().filter(|_| public);
    let step = public_step(action, note, party, reason)?;
    Some((step, party.map(str::to_owned)))
}

/// The words of a step; a step that names no party (an acknowledgement)
/// names the case's party, `case_party` (Chinese, English).
fn words(
    step: &PublicStep,
    party: Option<&str>,
    names: &PartyNames,
    case_party: (Option<&str>, Option<&str>),
    english: bool,
) -> String {
    let named = party
        .and_then(|p| names.get(p))
        .map(|(zh, en)| (Some(zh.as_str()), Some(en.as_str())))
        .unwrap_or(case_party);
    let name = match named {
        (_, Some(en)) if english && !en.is_empty() => Some(en),
        (zh, _) => zh,
    };
    step.text(name, english)
}

fn party_of(case: &PublicCase) -> (Option<&str>, Option<&str>) {
    (case.party_name.as_deref(), case.party_name_en.as_deref())
}

/// The place the public sees: the exact point of a public category, its
/// grid's middle for a private one.
fn place(case: &PublicCase, map: &AreaMap) -> (Option<Coordinates>, Option<String>) {
    let point = Coordinates::new(case.lat, case.lng).ok();
    let centre = AreaCode::parse(&case.grid_code)
        .ok()
        .and_then(|grid| map.get(&grid).and_then(|g| g.inner_point()));
    let view = public_view(case.public_reports, &case.description, point, centre);
    let address = if case.public_reports {
        case.address.clone()
    } else {
        None
    };
    (view.point, address)
}

/// `case` with its timeline `events` (any order, other cases' ignored).
pub fn service_request(
    case: &PublicCase,
    events: &[PublicEvent],
    names: &PartyNames,
    map: &AreaMap,
    reading: Reading,
) -> ServiceRequest {
    let own: Vec<&PublicEvent> = events.iter().filter(|e| e.incident_id == case.id).collect();
    let status = Status::parse(&case.status).unwrap_or(Status::Reported);
    let extended = status_of(status, rejection(case, &own).as_ref());
    let notes = own
        .iter()
        .rev()
        .find_map(|e| step_of(e, case.public_reports))
        .map(|(step, party)| {
            words(
                &step,
                party.as_deref(),
                names,
                party_of(case),
                reading.english,
            )
        });
    let (point, address) = place(case, map);
    let agency = if reading.english {
        case.party_name_en
            .clone()
            .filter(|n| !n.is_empty())
            .or_else(|| case.party_name.clone())
    } else {
        case.party_name.clone()
    };
    ServiceRequest {
        service_request_id: case.reference.clone(),
        status: extended.service_status().as_str().to_owned(),
        extended_status: reading.extended.then(|| extended.as_str().to_owned()),
        status_notes: notes,
        service_name: if reading.english {
            case.label_en.clone()
        } else {
            case.label_zh.clone()
        },
        service_code: case.category_code.clone(),
        description: case.public_reports.then(|| case.description.clone()),
        agency_responsible: agency,
        service_notice: None,
        requested_datetime: utc(case.created_at),
        updated_datetime: utc(case.updated_at),
        // A date is expected once a party has the case, until it is closed.
        expected_datetime: matches!(
            status,
            Status::Dispatched | Status::InProgress | Status::Resolved
        )
        .then_some(case.resolve_due)
        .flatten()
        .map(utc),
        address,
        address_id: None,
        zipcode: None,
        lat: point.map(Coordinates::lat),
        long: point.map(Coordinates::lng),
        media_url: None,
    }
}

/// One public step of a case as mySociety's `servicerequestupdates` reads
/// it; `None` for a step that stays inside.
pub fn update(
    event: &PublicEvent,
    case: &PublicCase,
    names: &PartyNames,
    reading: Reading,
) -> Option<ServiceRequestUpdate> {
    let (step, party) = step_of(event, case.public_reports)?;
    let status = Status::parse(&event.to_status).unwrap_or(Status::Reported);
    let reason = match &step {
        PublicStep::Rejected { reason } => reason.clone(),
        _ => None,
    };
    let extended = status_of(status, reason.as_ref());
    Some(ServiceRequestUpdate {
        update_id: event.id.clone(),
        service_request_id: case.reference.clone(),
        status: extended.service_status().as_str().to_owned(),
        extended_status: Some(extended.as_str().to_owned()),
        updated_datetime: utc(event.occurred_at),
        description: Some(words(
            &step,
            party.as_deref(),
            names,
            party_of(case),
            reading.english,
        )),
        media_url: None,
        external_status_code: None,
        customer_reference: None,
    })
}

/// The parties the steps name, to look their names up at once.
pub fn parties_named(events: &[PublicEvent]) -> Vec<String> {
    let mut codes: Vec<String> = events
        .iter()
        .filter_map(|e| match detail(e) {
            Some(EventDetail::Dispatched { party, .. }) => Some(party),
            _ => None,
        })
        .collect();
    codes.sort();
    codes.dedup();
    codes
}
