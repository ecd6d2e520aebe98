//! Hand-computed cases. Calendar facts used: 2026-03-01 and 2026-02-01 are Sundays, so the
//! last Sunday of March 2026 is the 29th; 2026-10-25 is the last Sunday of October;
//! 2026-11-30 is a Monday. Europe/Berlin is UTC+1 (CET) and UTC+2 (CEST) from 2026-03-29
//! 01:00Z (02:00 CET -> 03:00 CEST) to 2026-10-25 01:00Z (03:00 CEST -> 02:00 CET).

use jiff::Timestamp;

use super::*;
use crate::model::ScheduledAction;

fn at(s: &str) -> Timestamp {
    Timestamp::from_second(timestamp::parse_utc(s).unwrap_or_else(|e| panic!("{e}"))).unwrap()
}

fn action(name: &str, schedule: &str) -> ScheduledAction {
    ScheduledAction {
        name: name.into(),
        schedule: schedule.into(),
        timezone: None,
        start_time: None,
        end_time: None,
        min_capacity: None,
        max_capacity: None,
    }
}

fn berlin(mut a: ScheduledAction) -> ScheduledAction {
    a.timezone = Some("Europe/Berlin".into());
    a
}

fn schedule(a: &ScheduledAction) -> Schedule {
    Schedule::new(a, None).unwrap_or_else(|e| panic!("{e}"))
}

fn last(a: &ScheduledAction, t: &str) -> Option<Timestamp> {
    schedule(a).last_run_at_or_before(at(t))
}

#[test]
fn cron_in_berlin_across_both_daylight_saving_changes() {
    let a = berlin(action("office", "cron(0 8 ? * MON-FRI *)"));
    // Friday 27 March, 08:00 CET; Monday 30 March, 08:00 CEST.
    assert_eq!(last(&a, "2026-03-30T05:59:59Z"), Some(at("2026-03-27T07:00:00Z")));
    assert_eq!(last(&a, "2026-03-30T06:00:00Z"), Some(at("2026-03-30T06:00:00Z")));
    // Friday 23 October, 08:00 CEST; Monday 26 October, 08:00 CET.
    assert_eq!(last(&a, "2026-10-26T06:59:00Z"), Some(at("2026-10-23T06:00:00Z")));
    assert_eq!(last(&a, "2026-10-26T07:00:00Z"), Some(at("2026-10-26T07:00:00Z")));
    let s = schedule(&a);
    assert!(s.fires(at("2026-03-30T06:00:00Z")));
    assert!(
        !s.fires(at("2026-03-30T07:00:00Z")),
        "08:00 UTC is 10:00 in Berlin"
    );
    assert!(s.fires(at("2026-10-26T07:00:00Z")));
}

#[test]
fn wall_clock_times_skipped_or_repeated_by_daylight_saving() {
    let a = berlin(action("night", "cron(30 2 * * ? *)"));
    let s = schedule(&a);
    // 29 March: 02:30 does not exist; it runs at 03:30 CEST (01:30Z), as on the 28th (CET).
    assert_eq!(last(&a, "2026-03-29T12:00:00Z"), Some(at("2026-03-29T01:30:00Z")));
    assert_eq!(last(&a, "2026-03-28T12:00:00Z"), Some(at("2026-03-28T01:30:00Z")));
    assert_eq!(last(&a, "2026-03-30T12:00:00Z"), Some(at("2026-03-30T00:30:00Z")));
    assert!(s.fires(at("2026-03-29T01:30:00Z")));
    // 25 October: 02:30 comes twice (00:30Z in CEST, 01:30Z in CET); it runs once, the first.
    assert_eq!(last(&a, "2026-10-25T12:00:00Z"), Some(at("2026-10-25T00:30:00Z")));
    assert!(s.fires(at("2026-10-25T00:30:00Z")));
    assert!(!s.fires(at("2026-10-25T01:30:00Z")));
    // at() reads the same way.
    let once = berlin(action("once", "at(2026-03-29T02:30:00)"));
    assert_eq!(
        last(&once, "2026-12-31T00:00:00Z"),
        Some(at("2026-03-29T01:30:00Z"))
    );
}

#[test]
fn l_w_and_hash_through_the_schedule() {
    // Last day of the month: 28 February 2026.
    let a = action("eom", "cron(0 20 L * ? *)");
    assert_eq!(last(&a, "2026-03-15T00:00:00Z"), Some(at("2026-02-28T20:00:00Z")));
    // First Monday: 2 March 2026.
    let a = action("first-monday", "cron(0 9 ? * 2#1 *)");
    assert_eq!(last(&a, "2026-03-15T00:00:00Z"), Some(at("2026-03-02T09:00:00Z")));
    // The weekday nearest the 15th: Sunday 15 March -> Monday 16th; Sunday 15 February ->
    // Monday 16th.
    let a = action("mid", "cron(0 9 15W * ? *)");
    assert_eq!(last(&a, "2026-03-20T00:00:00Z"), Some(at("2026-03-16T09:00:00Z")));
    assert_eq!(last(&a, "2026-03-16T08:59:00Z"), Some(at("2026-02-16T09:00:00Z")));
    // The last Friday: 27 March 2026, in Berlin (CET).
    let a = berlin(action("last-friday", "cron(0 17 ? * 6L *)"));
    assert_eq!(last(&a, "2026-04-20T00:00:00Z"), Some(at("2026-03-27T16:00:00Z")));
}

#[test]
fn far_back_searches_skip_years_and_months() {
    // Once a year; the year field in the past; never (30 February).
    let yearly = action("new-year", "cron(0 0 1 JAN ? *)");
    assert_eq!(
        last(&yearly, "2026-11-30T00:00:00Z"),
        Some(at("2026-01-01T00:00:00Z"))
    );
    let past = action("past", "cron(0 12 ? DEC 5#4 2020)");
    assert_eq!(
        last(&past, "2026-11-30T00:00:00Z"),
        Some(at("2020-12-24T12:00:00Z"))
    );
    let never = action("never", "cron(0 0 30 2 ? *)");
    assert_eq!(last(&never, "2199-12-31T00:00:00Z"), None);
}

#[test]
fn rate_counts_from_the_start_time_or_the_creation() {
    let mut a = action("every-2h", "rate(2 hours)");
    assert!(Schedule::new(&a, None).unwrap_err().contains("neither is known"));
    let created = at("2026-11-30T08:00:00Z");
    let s = Schedule::new(&a, Some(created)).unwrap();
    assert_eq!(
        s.last_run_at_or_before(at("2026-11-30T09:59:59Z")),
        None,
        "not at creation"
    );
    assert_eq!(
        s.last_run_at_or_before(at("2026-11-30T13:00:00Z")),
        Some(at("2026-11-30T12:00:00Z"))
    );
    assert!(s.fires(at("2026-11-30T10:00:00Z")));
    assert!(!s.fires(at("2026-11-30T11:00:00Z")));
    // With a start time: a run at it, then every 2 hours until the end time (inclusive).
    a.start_time = Some("2026-11-30T08:30:00Z".into());
    a.end_time = Some("2026-11-30T12:30:00Z".into());
    let s = Schedule::new(&a, Some(created)).unwrap();
    assert_eq!(s.last_run_at_or_before(at("2026-11-30T08:29:59Z")), None);
    assert_eq!(
        s.last_run_at_or_before(at("2026-11-30T08:30:00Z")),
        Some(at("2026-11-30T08:30:00Z"))
    );
    assert_eq!(
        s.last_run_at_or_before(at("2026-12-31T00:00:00Z")),
        Some(at("2026-11-30T12:30:00Z"))
    );
}

#[test]
fn a_start_time_is_a_run_and_the_window_bounds_recurring_runs_only() {
    let mut a = action("weekdays", "cron(0 8 ? * MON-FRI *)");
    // Saturday 28 November 15:00.
    a.start_time = Some("2026-11-28T15:00:00Z".into());
    a.end_time = Some("2026-12-01T00:00:00Z".into());
    assert_eq!(
        last(&a, "2026-11-28T14:59:00Z"),
        None,
        "Friday's run is before the start"
    );
    assert_eq!(last(&a, "2026-11-29T12:00:00Z"), Some(at("2026-11-28T15:00:00Z")));
    assert_eq!(last(&a, "2026-11-30T09:00:00Z"), Some(at("2026-11-30T08:00:00Z")));
    assert_eq!(
        last(&a, "2026-12-04T09:00:00Z"),
        Some(at("2026-11-30T08:00:00Z")),
        "ended"
    );
    // at() is not bounded by the window.
    let mut once = action("once", "at(2026-11-30T12:30:45)");
    once.start_time = Some("2026-12-01T00:00:00Z".into());
    assert_eq!(
        last(&once, "2026-12-31T00:00:00Z"),
        Some(at("2026-11-30T12:30:45Z"))
    );
    assert!(
        schedule(&once).fires(at("2026-11-30T12:30:00Z")),
        "the minute holding it"
    );
}

#[test]
fn bad_actions_say_what_is_wrong() {
    let e = |a: ScheduledAction| Schedule::new(&a, None).unwrap_err();
    assert_eq!(
        e(action("a", "cron(0 8 * * ? *")),
        "schedule \"cron(0 8 * * ? *\" must be at(...), rate(...) or cron(...)"
    );
    let mut a = action("a", "cron(0 8 * * ? *)");
    a.timezone = Some("Berlin".into());
    assert_eq!(e(a.clone()), "\"Berlin\" is not an IANA time zone name");
    a.timezone = None;
    a.end_time = Some("2026-12-01".into());
    assert_eq!(e(a), "end_time: \"2026-12-01\" is not yyyy-mm-ddThh:mm:ssZ");
}

fn sets(
    name: &str,
    schedule: &str,
    min: Option<i32>,
    max: Option<i32>,
) -> (ScheduledAction, Option<Timestamp>) {
    let mut a = action(name, schedule);
    a.min_capacity = min;
    a.max_capacity = max;
    (a, None)
}

fn bounds(f: &InForce) -> (i32, i32, Option<&str>, Option<&str>) {
    (f.min, f.max, f.min_from.as_deref(), f.max_from.as_deref())
}

#[test]
fn office_hours_in_berlin_are_in_force_by_berlin_time() {
    let mut open = sets("open", "cron(0 8 ? * MON-FRI *)", Some(4), None);
    let mut closed = sets("closed", "cron(0 18 ? * MON-FRI *)", Some(1), None);
    open.0 = berlin(open.0);
    closed.0 = berlin(closed.0);
    let actions = [open, closed];
    let now = |t: &str| capacity_in_force(0, 10, &actions, at(t));
    // Monday 30 March 06:30Z is 08:30 CEST: open. In UTC it would still be closed.
    assert_eq!(bounds(&now("2026-03-30T06:30:00Z")), (4, 10, Some("open"), None));
    assert_eq!(
        bounds(&now("2026-03-30T05:59:00Z")),
        (1, 10, Some("closed"), None)
    );
    // Friday 27 March 16:30Z is 17:30 CET: open; 17:00Z is 18:00 CET: closed.
    assert_eq!(bounds(&now("2026-03-27T16:30:00Z")), (4, 10, Some("open"), None));
    assert_eq!(
        bounds(&now("2026-03-27T17:00:00Z")),
        (1, 10, Some("closed"), None)
    );
    // Monday 26 October 06:30Z is 07:30 CET: still closed since Friday.
    assert_eq!(
        bounds(&now("2026-10-26T06:30:00Z")),
        (1, 10, Some("closed"), None)
    );
    assert!(now("2026-10-26T06:30:00Z").notes.is_empty());
}

#[test]
fn base_until_a_run_and_one_sided_actions_keep_the_other_bound() {
    let cap = sets("cap", "at(2026-11-30T08:00:00)", None, Some(5));
    let actions = [cap];
    let before = capacity_in_force(1, 10, &actions, at("2026-11-30T07:59:59Z"));
    assert_eq!(bounds(&before), (1, 10, None, None));
    let after = capacity_in_force(1, 10, &actions, at("2026-11-30T08:00:00Z"));
    assert_eq!(bounds(&after), (1, 5, None, Some("cap")));
}

#[test]
fn an_ended_window_leaves_its_last_run_in_force() {
    // AWS "does not keep track of previous values and revert back to those previous values
    // after the end time" (user guide, scheduled-scaling-using-cron-expressions.html).
    let mut peak = sets("peak", "cron(0 8 ? * MON-FRI *)", Some(3), Some(8));
    peak.0.end_time = Some("2026-11-25T00:00:00Z".into());
    let f = capacity_in_force(1, 4, &[peak], at("2026-11-30T12:00:00Z"));
    assert_eq!(bounds(&f), (3, 8, Some("peak"), Some("peak")));
}

#[test]
fn a_run_that_would_put_min_above_max_fails_and_changes_nothing() {
    // `low-max` (max 3) ran at 08:00, `high-min` (min 5 only) at 09:00: min 5 > max 3 fails.
    let low_max = sets("low-max", "at(2026-11-30T08:00:00)", None, Some(3));
    let high_min = sets("high-min", "at(2026-11-30T09:00:00)", Some(5), None);
    let f = capacity_in_force(
        1,
        10,
        &[high_min.clone(), low_max.clone()],
        at("2026-11-30T10:00:00Z"),
    );
    assert_eq!(bounds(&f), (1, 3, None, Some("low-max")));
    assert_eq!(
        f.notes,
        [
            "scheduled action `high-min` ran at 2026-11-30T09:00:00Z, but it would set min_capacity 5 above \
          max_capacity 3, so AWS fails it and nothing changes"
        ]
    );
    // The other order: min 5 first, then max 3 fails.
    let mut late_max = low_max;
    late_max.0.schedule = "at(2026-11-30T09:30:00)".into();
    let f = capacity_in_force(1, 10, &[high_min, late_max], at("2026-11-30T10:00:00Z"));
    assert_eq!(bounds(&f), (5, 10, Some("high-min"), None));
    assert_eq!(f.notes.len(), 1);
}

#[test]
fn actions_that_cannot_be_evaluated_are_left_out_with_a_note() {
    let rate = sets("every-hour", "rate(1 hour)", Some(2), None);
    let f = capacity_in_force(1, 10, &[rate], at("2026-11-30T10:00:00Z"));
    assert_eq!(bounds(&f), (1, 10, None, None));
    assert_eq!(f.notes.len(), 1);
    assert!(f.notes[0].starts_with("scheduled action `every-hour` is left out: schedule \"rate(1 hour)\""));
}

#[test]
fn one_sided_actions_that_can_put_min_above_max() {
    let a = |name: &str, min: Option<i32>, max: Option<i32>| sets(name, "cron(0 8 * * ? *)", min, max).0;
    // Only min 5 against the target's max 4.
    let c = bound_conflicts(0, 4, &[a("morning", Some(5), None)]);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].action, "morning");
    assert_eq!(
        c[0].message,
        "scheduled action `morning` sets only min_capacity (5); when it runs while max_capacity is 4 (from the \
         target's max_capacity), that would put min_capacity above it and AWS fails the run; set max_capacity \
         in `morning` too"
    );
    // Only min 5 against another action's max 3 (the target's 10 is fine); the lowest is named.
    let c = bound_conflicts(
        0,
        10,
        &[
            a("morning", Some(5), None),
            a("night", None, Some(3)),
            a("evening", Some(1), Some(4)),
        ],
    );
    assert_eq!(c.len(), 2, "{c:?}");
    assert!(
        c[0].message
            .contains("max_capacity is 3 (from scheduled action `night`)"),
        "{c:?}"
    );
    // `night` (max 3 only) against `morning`'s min 5.
    assert_eq!(c[1].action, "night");
    assert!(
        c[1].message
            .contains("min_capacity is 5 (from scheduled action `morning`)"),
        "{c:?}"
    );
    // Two-sided actions and values that fit are fine.
    let c = bound_conflicts(1, 10, &[a("both", Some(1), Some(2)), a("min", Some(3), None)]);
    assert_eq!(c.iter().map(|c| c.action.as_str()).collect::<Vec<_>>(), ["min"]);
    assert!(bound_conflicts(1, 10, &[a("min", Some(3), None), a("max", None, Some(8))]).is_empty());
}

/// The release binary is static and may run where no tzdata exists: zones must come from
/// the database jiff embeds. The check runs in a child process whose TZDIR is an empty
/// directory (a test cannot change its own process's environment safely).
#[test]
fn zones_resolve_without_system_tzdata() {
    let empty = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "schedule::tests::zone_from_the_bundled_database",
            "--ignored",
            "--test-threads=1",
        ])
        .env("TZDIR", empty.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "run by zones_resolve_without_system_tzdata, with TZDIR an empty directory"]
fn zone_from_the_bundled_database() {
    let zone = time_zone(Some("Europe/Berlin")).unwrap();
    assert_eq!(zone.to_offset(at("2026-07-01T00:00:00Z")).seconds(), 7200);
    assert_eq!(zone.to_offset(at("2026-12-01T00:00:00Z")).seconds(), 3600);
    assert!(time_zone(Some("Pacific/Tahiti")).is_ok());
}
