use chrono::TimeDelta;

use super::retry::{Next, RetryPolicy, after_failure};
use super::template::{Facts, Language, incident_text};
use super::*;
use crate::incident::fixtures::{
    ASSIGNEE, GRID, PARTY, REPORTER, at, cast, incident, sample_command,
};
use crate::incident::{Command, apply};

fn actor(name: &str) -> crate::access::Actor {
    cast()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, a)| a)
        .unwrap_or_else(|| panic!("no {name} in the cast"))
}

/// Who is told what, and why.
type Told = Vec<(Topic, Audience, Why)>;

/// The tells of `command` by `by` on an incident in `status`.
fn tells(status: Status, by: &str, command: Command) -> Told {
    tells_on(incident(status), by, command)
}

fn tells_on(before: Incident, by: &str, command: Command) -> Told {
    let (after, event) =
        apply(&before, command, &actor(by), at(5)).unwrap_or_else(|e| panic!("{by} may act: {e}"));
    after_step(&before, &after, &event)
        .into_iter()
        .map(|t| (t.topic, t.audience, t.why))
        .collect()
}

fn grid() -> AreaCode {
    AreaCode::parse(GRID).unwrap_or_else(|e| panic!("{e}"))
}

fn reporters() -> Audience {
    Audience::Users(vec![REPORTER.into()])
}

#[test]
fn each_step_tells_the_people_it_concerns() {
    use ActionKind as A;
    let party = || Audience::PartyHandlers(PARTY.into());
    let cases: Vec<(Status, &str, ActionKind, Told)> = vec![
        (
            Status::Reported,
            "dispatcher",
            A::Accept,
            vec![(Topic::Accepted, reporters(), Why::Reporter)],
        ),
        (
            Status::Reported,
            "dispatcher",
            A::Reject,
            vec![(Topic::Rejected, reporters(), Why::Reporter)],
        ),
        (
            Status::Accepted,
            "dispatcher",
            A::Dispatch,
            vec![
                (Topic::Dispatched, party(), Why::Handler),
                (Topic::Dispatched, reporters(), Why::Reporter),
            ],
        ),
        (
            Status::Dispatched,
            "handler",
            A::Acknowledge,
            vec![(Topic::Acknowledged, reporters(), Why::Reporter)],
        ),
        (
            Status::Dispatched,
            "handler",
            A::Return,
            vec![(
                Topic::Returned,
                Audience::DispatchersOf(grid()),
                Why::Dispatcher,
            )],
        ),
        (
            Status::InProgress,
            "handler",
            A::Resolve,
            vec![
                (
                    Topic::Resolved,
                    Audience::DispatchersOf(grid()),
                    Why::Dispatcher,
                ),
                (Topic::Resolved, reporters(), Why::Reporter),
            ],
        ),
        (
            Status::Resolved,
            "dispatcher",
            A::Verify,
            vec![
                (Topic::Closed, reporters(), Why::Reporter),
                (Topic::Closed, party(), Why::Handler),
            ],
        ),
        (
            Status::Resolved,
            "dispatcher",
            A::Reopen,
            vec![(Topic::Reopened, party(), Why::Handler)],
        ),
        (Status::Closed, "reporter", A::Rate, vec![]),
        (
            Status::InProgress,
            "handler",
            A::Comment,
            vec![(Topic::Commented, reporters(), Why::Reporter)],
        ),
        (
            Status::InProgress,
            "reporter",
            A::Comment,
            vec![(Topic::Commented, party(), Why::Handler)],
        ),
        (
            Status::Reported,
            "reporter",
            A::Comment,
            vec![(
                Topic::Commented,
                Audience::DispatchersOf(grid()),
                Why::Dispatcher,
            )],
        ),
    ];
    for (status, by, kind, expected) in cases {
        assert_eq!(
            tells(status, by, sample_command(kind)),
            expected,
            "{kind:?} by {by} in {status:?}"
        );
    }
}

#[test]
fn a_finding_handled_on_the_spot_tells_the_parties_it_had_gone_to() {
    use crate::incident::{Assist, AssistState};
    let mut before = incident(Status::Dispatched);
    before.reporter_id = "worker".into();
    before.assists = vec![Assist {
        party: "zy-guanlan-committee".into(),
        state: AssistState::Called,
        called_by: "system".into(),
        called_at: at(0),
        acknowledged_at: None,
        reported_at: None,
        report: None,
    }];
    let told = tells_on(before, "worker", sample_command(ActionKind::ResolveOnSpot));
    assert_eq!(
        told,
        vec![
            (
                Topic::Resolved,
                Audience::Users(vec!["worker".into()]),
                Why::Reporter
            ),
            (
                Topic::HandledOnSpot,
                Audience::PartyHandlers(PARTY.into()),
                Why::Handler
            ),
            (
                Topic::HandledOnSpot,
                Audience::PartyHandlers("zy-guanlan-committee".into()),
                Why::Handler
            ),
        ],
        "the reporter's own step reaches nobody else: the store leaves the actor out"
    );
    let (title, _) = incident_text(
        Topic::HandledOnSpot,
        Why::Handler,
        Language::English,
        Facts {
            reference: "410102-20261124-000123",
            category_zh: "犬只扰民",
            category_en: "Noise from dogs",
        },
    );
    assert_eq!(
        title,
        "A case sent to you was handled on the spot: nothing left to do"
    );
}

#[test]
fn a_named_assignee_hears_instead_of_the_whole_party() {
    let dispatched = tells(
        Status::Accepted,
        "dispatcher",
        Command::Dispatch {
            party: PARTY.into(),
            assignee: Some(ASSIGNEE.into()),
            note: None,
        },
    );
    assert_eq!(
        dispatched[0],
        (
            Topic::Dispatched,
            Audience::Users(vec![ASSIGNEE.into()]),
            Why::Handler
        )
    );
}

#[test]
fn followers_of_a_report_hear_what_its_reporter_hears() {
    let mut before = incident(Status::Reported);
    before.followers = vec!["neighbour".into()];
    let told = tells_on(before, "dispatcher", sample_command(ActionKind::Accept));
    assert_eq!(
        told,
        vec![(
            Topic::Accepted,
            Audience::Users(vec![REPORTER.into(), "neighbour".into()]),
            Why::Reporter
        )]
    );
}

#[test]
fn texts_follow_the_locale_and_carry_no_personal_data() {
    let facts = Facts {
        reference: "410102-20261124-000123",
        category_zh: "积雪",
        category_en: "Snow and ice",
    };
    let (title, body) = incident_text(
        Topic::Dispatched,
        Why::Handler,
        Language::of_locale("zh-CN"),
        facts,
    );
    assert_eq!(title, "新派遣案件，请及时签收");
    assert_eq!(body, "410102-20261124-000123 · 积雪");
    let (title, body) = incident_text(
        Topic::Closed,
        Why::Reporter,
        Language::of_locale("en-GB"),
        facts,
    );
    assert_eq!(title, "Your report was closed: please rate it");
    assert_eq!(body, "410102-20261124-000123 · Snow and ice");
    assert_eq!(Language::of_locale("EN"), Language::English);
    assert_eq!(Language::of_locale("zh-TW"), Language::Chinese);
    // Every topic has words in both languages, different for reporters and staff where they differ.
    for topic in Topic::ALL {
        for language in [Language::Chinese, Language::English] {
            let (title, _) = incident_text(topic, Why::Reporter, language, facts);
            assert!(!title.is_empty(), "{topic:?}");
        }
        assert_eq!(Topic::parse(topic.as_str()), Some(topic));
    }
}

#[test]
fn retries_back_off_with_jitter_honour_retry_after_and_give_up() {
    let policy = RetryPolicy {
        max_attempts: 5,
        base: TimeDelta::seconds(2),
        cap: TimeDelta::seconds(60),
    };
    let now = at(0);
    let delay = |attempts, retry_after, jitter| match after_failure(
        &policy,
        attempts,
        retry_after,
        jitter,
        now,
    ) {
        Next::RetryAt(t) => (t - now).num_milliseconds(),
        Next::DeadLetter => -1,
    };
    // Half the backoff is fixed, half random.
    assert_eq!(delay(1, None, 0.0), 1_000);
    assert_eq!(delay(1, None, 0.999_999), 1_999);
    assert_eq!(delay(2, None, 0.0), 2_000);
    assert_eq!(delay(3, None, 0.5), 6_000);
    // Capped.
    assert_eq!(delay(4, None, 0.0), 8_000);
    let capped = RetryPolicy {
        max_attempts: 100,
        ..policy
    };
    assert_eq!(
        after_failure(&capped, 40, None, 0.0, now),
        Next::RetryAt(now + TimeDelta::seconds(30))
    );
    // Retry-After is a floor, never shortened.
    assert_eq!(delay(1, Some(TimeDelta::seconds(7)), 0.0), 7_000);
    assert_eq!(delay(4, Some(TimeDelta::seconds(1)), 0.0), 8_000);
    // The fifth failure is the last.
    assert_eq!(after_failure(&policy, 5, None, 0.0, now), Next::DeadLetter);
}

#[test]
fn escalations_go_to_the_dispatchers_of_the_level_reached() {
    let community = AreaCode::parse(&GRID[..12]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        on_escalation(community.clone()).audience,
        Audience::DispatchersOf(community)
    );
    let mut held = incident(Status::InProgress);
    assert_eq!(
        on_deadline_warning(&held).audience,
        Audience::PartyHandlers(PARTY.into())
    );
    held.assignee = Some(ASSIGNEE.into());
    assert_eq!(
        on_deadline_warning(&held).audience,
        Audience::Users(vec![ASSIGNEE.into()])
    );
}

#[test]
fn dispatchers_and_chiefs_announce_to_the_area_they_serve() {
    let community = AreaCode::parse(&GRID[..12]).unwrap_or_else(|e| panic!("{e}"));
    let may = |who: &str, area: &AreaCode| may_post_notice(&actor(who), area);
    assert!(may("dispatcher", &community));
    assert!(may("dispatcher", &grid()));
    assert!(!may("dispatcher_else", &community));
    assert!(may("chief", &grid()));
    assert!(
        !may("chief", &community),
        "a chief speaks for the grid, not the community"
    );
    assert!(!may("worker", &grid()));
    assert!(!may("resident", &community));
    assert!(!may("handler", &grid()));
    assert!(may("admin", &community));
}

#[test]
fn a_check_task_names_the_campaign_and_its_due_time_in_local_words() {
    use super::template::check_task_text;
    let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 5)
        .and_then(|d| d.and_hms_opt(18, 0, 0))
        .unwrap_or_default();
    let (zh, _) = check_task_text(
        Language::Chinese,
        "暴雪隐患排查",
        "Blizzard hazard check",
        due,
    );
    assert_eq!(zh, "暴雪隐患排查：请于12月5日18:00前完成本网格检查");
    let (en, _) = check_task_text(
        Language::English,
        "暴雪隐患排查",
        "Blizzard hazard check",
        due,
    );
    assert_eq!(
        en,
        "Blizzard hazard check: finish your grid's checklist by 5 Dec 18:00"
    );
}
