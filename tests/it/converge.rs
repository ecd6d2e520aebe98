//! Updates that converge although AWS keeps what an update leaves out (issue 21, item 2), and
//! the capacity a deleted scheduled action set, shown in the same plan. On the stand-in, whose
//! rule 10 keeps an omitted Timezone and bound as PutScheduledAction does on AWS.

use serde_json::{Value, json};

use crate::common::{Case, RID, SEED, block_on, changes, targets, triple};
use crate::run;

fn office_hours(extra: &str) -> String {
    format!(
        "{SEED}\n[[endpoint.schedule]]\nname = \"office-hours\"\nschedule = \"cron(0 8 ? * MON-FRI *)\"\n{extra}"
    )
}

fn one(action: &str, kind: &str, name: &str) -> Vec<(String, String, String)> {
    vec![triple(action, kind, name)]
}

fn aws_schedule(case: &Case) -> Value {
    block_on(async {
        let (aas, _) = case.aws.clients().await;
        let out = aas
            .describe_scheduled_actions()
            .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Sagemaker)
            .resource_id(RID)
            .send()
            .await
            .expect("DescribeScheduledActions");
        let a = &out.scheduled_actions()[0];
        let bounds = a.scalable_target_action();
        json!({
            "timezone": a.timezone(),
            "min": bounds.and_then(|b| b.min_capacity()),
            "max": bounds.and_then(|b| b.max_capacity()),
        })
    })
}

#[test]
fn going_back_to_utc_converges_whether_the_time_zone_is_removed_or_written_as_utc() {
    let berlin = office_hours("timezone = \"Europe/Berlin\"\nmin_capacity = 1\n");
    let case = Case::new(&berlin);
    case.apply();
    for back in ["min_capacity = 1\n", "timezone = \"UTC\"\nmin_capacity = 1\n"] {
        case.config(&office_hours(back));
        let (_, plan) = case.plan();
        assert_eq!(changes(&plan), one("update", "scheduled_action", "office-hours"));
        case.apply();
        assert_eq!(aws_schedule(&case)["timezone"], "UTC");
        case.assert_converged();
        case.config(&berlin);
        case.apply();
        assert_eq!(aws_schedule(&case)["timezone"], "Europe/Berlin");
    }
}

#[test]
fn removing_a_bound_from_a_scheduled_action_replaces_it_and_converges() {
    let case = Case::new(&office_hours("min_capacity = 1\nmax_capacity = 3\n"));
    case.apply();
    case.config(&office_hours("min_capacity = 1\n"));
    let (_, plan) = case.plan();
    assert_eq!(changes(&plan), one("replace", "scheduled_action", "office-hours"));
    let text = case.run(&["plan"]);
    crate::assert_contains(
        &text.stdout,
        "max_capacity removed: an update keeps a bound it leaves out, so delete, then create",
    );
    case.apply();
    assert_eq!(
        aws_schedule(&case),
        json!({"timezone": "UTC", "min": 1, "max": null})
    );
    case.assert_converged();
}

#[test]
fn deleting_the_scheduled_action_that_set_a_bound_plans_the_config_bound_at_once() {
    let case = Case::new(&office_hours("timezone = \"Europe/Berlin\"\nmin_capacity = 2\n"));
    case.apply();
    let monday = "2030-01-07T07:30:00Z"; // 08:30 in Berlin: office-hours ran at 08:00
    case.aws.set_clock(monday);
    let plan_now = || {
        let r = run(case
            .cmd(&["plan", "--json", "--detailed-exitcode"])
            .env("SAGEMAKER_AUTOSCALE_NOW", monday));
        assert!(r.code == 0 || r.code == 2, "{}\n{}", r.stdout, r.stderr);
        serde_json::from_str::<Value>(&r.stdout).expect("plan")
    };
    assert_eq!(
        plan_now()["changes"],
        json!([]),
        "the schedule's min 2 is expected"
    );

    case.config(SEED);
    let plan = plan_now();
    let target = plan["changes"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["kind"] == "scalable_target"))
        .unwrap_or_else(|| panic!("the same plan moves min_capacity back: {plan:#}"));
    assert_eq!(target["fields"], json!(["min_capacity"]));
    assert_eq!(
        (
            &target["before"]["min_capacity"],
            &target["after"]["min_capacity"]
        ),
        (&json!(2), &json!(0))
    );
    let r = run(case
        .cmd(&["apply", "--auto-approve"])
        .env("SAGEMAKER_AUTOSCALE_NOW", monday));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let bounds = block_on(async {
        let (aas, _) = case.aws.clients().await;
        let t = &targets(&aas, RID).await[0];
        (t.min_capacity(), t.max_capacity())
    });
    assert_eq!(bounds, (0, 4));
    assert_eq!(plan_now()["changes"], json!([]), "converged");
}
