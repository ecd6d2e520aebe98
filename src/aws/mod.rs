//! The only code that talks to AWS: Application Auto Scaling and CloudWatch clients, reading
//! the current state, and performing one change at a time.

mod cost;
mod metrics;
mod pages;
mod read;
mod write;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::ProvideCredentials;

pub use metrics::{MetricRequest, minute_history};
pub use read::{CurrentState, list_targets, read_current};
pub(crate) use write::{Write, perform};

/// The Application Auto Scaling namespace of every target this tool manages, and the SDK form
/// of a scalable dimension.
pub(crate) fn namespace() -> aws_sdk_applicationautoscaling::types::ServiceNamespace {
    crate::model::SERVICE_NAMESPACE.into()
}

pub(crate) fn sdk_dimension(
    d: crate::model::ScalableDimension,
) -> aws_sdk_applicationautoscaling::types::ScalableDimension {
    d.as_str().into()
}

/// Clients for one region.
#[derive(Clone, Debug)]
pub struct Clients {
    pub(crate) region: String,
    pub(crate) autoscaling: aws_sdk_applicationautoscaling::Client,
    pub(crate) cloudwatch: aws_sdk_cloudwatch::Client,
}

/// A failure talking to AWS, with the operation and AWS's message.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// No region from the config, the `region` input or the AWS environment.
    #[error("no AWS region: set `region` in the config, the `region` input, or AWS_REGION")]
    NoRegion,
    /// The credential chain found no usable credentials; holds its message.
    #[error("no usable AWS credentials: {0}")]
    NoCredentials(String),
    /// An AWS API call failed (after any retries); AWS's code and message are kept.
    #[error("{operation} failed: {message}")]
    Call {
        /// The API operation, e.g. `PutScalingPolicy`.
        operation: &'static str,
        /// AWS's error code, e.g. `ValidationException`, when the service sent one.
        code: Option<String>,
        /// AWS's error message.
        message: String,
    },
    /// A listing whose pages did not end: AWS gave back a page token it had given before, or
    /// the chain ran past the page cap. What it listed is not all AWS holds, so it is never
    /// used as if it were.
    #[error("{operation} did not finish listing ({why}); what it listed cannot be taken as all AWS holds")]
    Unfinished {
        /// The Describe/List operation whose pages did not end.
        operation: &'static str,
        /// What happened, e.g. "more than 1000 pages".
        why: String,
    },
    /// A request the SDK refused to build (a required field missing).
    #[error("{operation}: {message}")]
    Invalid {
        /// The API operation whose request could not be built.
        operation: &'static str,
        /// The SDK builder's message.
        message: String,
    },
}

impl AwsError {
    /// What went wrong without the operation that found it: why a target is left out.
    pub(crate) fn detail(&self) -> String {
        match self {
            AwsError::Invalid { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    pub(crate) fn code(&self) -> Option<&str> {
        match self {
            AwsError::Call { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// A permission error: (operation, code) when the caller, or the role Application Auto
    /// Scaling acts with, is not allowed to do what was asked.
    pub(crate) fn permission_denial(&self) -> Option<(&'static str, &str)> {
        let AwsError::Call {
            operation,
            code: Some(code),
            message,
        } = self
        else {
            return None;
        };
        let denied = matches!(
            code.as_str(),
            "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation"
        ) || message.to_ascii_lowercase().contains("not authorized");
        denied.then_some((*operation, code.as_str()))
    }

    /// Errors that pass on their own within seconds: throttling (retried again after the SDK's
    /// own retries, whose quota runs dry under sustained throttling), and what the SDK does not
    /// retry at all: a concurrent update, an object not visible yet, and AAS failing to read
    /// CloudWatch because CloudWatch throttled it.
    pub fn is_transient(&self) -> bool {
        match self.code() {
            Some(
                "ThrottlingException"
                | "Throttling"
                | "TooManyRequestsException"
                | "RequestLimitExceeded"
                | "ConcurrentUpdateException"
                | "ObjectNotFoundException"
                // "The service encountered an internal error" (API reference); the SDK
                // retries it only when it comes with a 5xx status.
                | "InternalServiceException",
            ) => true,
            Some("FailedResourceAccessException") => self.is_throttling_behind(),
            _ => false,
        }
    }

    /// Errors AWS gives a write while what was just created propagates: a target not visible
    /// yet right after RegisterScalableTarget (its API reference: "there might be a brief delay
    /// until the operation achieves eventual consistency ... The typical strategy is to retry"),
    /// and the service-linked role Application Auto Scaling creates with the first target, not
    /// usable yet. They are waited for up to [`PROPAGATION_WAIT`], as terraform-provider-aws does
    /// (internal/service/appautoscaling: `propagationTimeout = 2 * time.Minute` in consts.go;
    /// policy.go retries PutScalingPolicy on ObjectNotFoundException and on
    /// FailedResourceAccessException "is not authorized to perform"; target.go retries
    /// RegisterScalableTarget on ValidationException "Unable to assume IAM role").
    pub fn is_propagating(&self) -> bool {
        let AwsError::Call { message, .. } = self else {
            return false;
        };
        match self.code() {
            Some("ObjectNotFoundException") => true,
            Some("FailedResourceAccessException") => {
                !self.is_throttling_behind() && message.contains("not authorized")
            }
            Some("ValidationException") => message.contains("Unable to assume IAM role"),
            _ => false,
        }
    }

    /// FailedResourceAccessException is a client error (AAS's role may not call CloudWatch,
    /// API reference: Errors); it is throttling only when CloudWatch's "Rate exceeded" is
    /// behind it (terraform-provider-aws#2275, aws-sdk-go#1428).
    fn is_throttling_behind(&self) -> bool {
        match self {
            AwsError::Call { message, .. } => {
                let m = message.to_ascii_lowercase();
                m.contains("rate exceeded") || m.contains("throttl")
            }
            _ => false,
        }
    }
}

impl crate::error::Hint for AwsError {
    /// A hint for the errors people hit first.
    fn hint(&self) -> Option<&str> {
        match self.code() {
            Some("AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation") => Some(
                "the role needs application-autoscaling:* on sagemaker targets and cloudwatch:PutMetricAlarm, DescribeAlarms, DeleteAlarms and TagResource (PutMetricAlarm with tags needs it); README.md lists the policy",
            ),
            Some("FailedResourceAccessException") if !self.is_throttling_behind() => Some(
                "Application Auto Scaling could not read the policy's CloudWatch alarms on your behalf: check that the service-linked role AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint exists and may call cloudwatch:DescribeAlarms",
            ),
            Some("ExpiredTokenException" | "InvalidClientTokenId" | "UnrecognizedClientException") => {
                Some("the AWS credentials are invalid or expired")
            }
            _ => None,
        }
    }
}

/// Wraps any SDK error with the operation it came from, keeping AWS's code and message.
pub(crate) fn call_error<E>(operation: &'static str, err: E) -> AwsError
where
    E: aws_sdk_applicationautoscaling::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    let code = err.code().map(str::to_string);
    let message = match err.message() {
        Some(m) => m.to_string(),
        None => aws_sdk_applicationautoscaling::error::DisplayErrorContext(&err).to_string(),
    };
    AwsError::Call {
        operation,
        code,
        message,
    }
}

/// The initial retry backoff, when `SAGEMAKER_AUTOSCALE_RETRY_BASE_MS` sets one.
pub fn retry_base() -> Option<Duration> {
    std::env::var(crate::inputs::Env::RETRY_BASE_MS)
        .ok()?
        .parse()
        .ok()
        .map(Duration::from_millis)
}

/// How long an error that propagation explains ([`AwsError::is_propagating`]) is waited for:
/// 2 minutes, as Terraform's provider does. A retry base set for tests scales it (600 bases:
/// 2 minutes at the default 200 ms).
pub fn propagation_wait() -> Duration {
    retry_base().map_or(PROPAGATION_WAIT, |base| base * 600)
}

/// See [`propagation_wait`].
pub const PROPAGATION_WAIT: Duration = Duration::from_secs(120);

/// Runs `call` again while it fails with a transient error, with exponential backoff and
/// jitter, up to `TRANSIENT_ATTEMPTS` times in all. For reads: a read's "not authorized" is a
/// permission error at once (waiting out a propagation only delays it in an account set up
/// long ago).
pub async fn with_retries<T, F, Fut>(call: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AwsError>>,
{
    retrying(None, call).await
}

/// As [`with_retries`], for a write: an error that propagation explains
/// ([`AwsError::is_propagating`]) is also waited out, for up to [`propagation_wait`], with a
/// line on stderr at every wait naming `subject` (a resource id, an alarm name).
pub async fn with_retries_waiting<T, F, Fut>(subject: &str, call: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AwsError>>,
{
    retrying(Some(subject), call).await
}

/// `waiting_for`: the subject of a write, whose propagation errors are waited out.
async fn retrying<T, F, Fut>(waiting_for: Option<&str>, mut call: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AwsError>>,
{
    let base = retry_base().unwrap_or(Duration::from_millis(200));
    let mut attempt = 0;
    let started = tokio::time::Instant::now();
    let mut propagation_waits = 0;
    loop {
        match call().await {
            Err(e)
                if waiting_for.is_some() && e.is_propagating() && started.elapsed() < propagation_wait() =>
            {
                let (waited, limit) = (started.elapsed(), propagation_wait());
                propagation_waits += 1;
                // 400 ms, doubling, at most 10 s (at the default base), never past the limit.
                let wait = (base * 2u32.pow(propagation_waits.min(6))).min(base * 50);
                eprintln!("{}", waiting_line(&e, waiting_for, waited, limit));
                tokio::time::sleep(jittered(wait).min(limit.saturating_sub(waited))).await;
            }
            Err(e) if e.is_transient() && attempt + 1 < TRANSIENT_ATTEMPTS => {
                attempt += 1;
                tokio::time::sleep(jittered(base * 2u32.pow(attempt))).await;
            }
            other => return other,
        }
    }
}

/// "waiting for PutScalingPolicy on endpoint/x/variant/y (AWS says ObjectNotFoundException:
/// ...), 20 s of 120 s".
fn waiting_line(e: &AwsError, subject: Option<&str>, waited: Duration, limit: Duration) -> String {
    let (operation, code, message) = match e {
        AwsError::Call {
            operation,
            code,
            message,
        } => (*operation, code.as_deref().unwrap_or("error"), message.as_str()),
        _ => ("the call", "error", ""),
    };
    let on = subject.map(|s| format!(" on {s}")).unwrap_or_default();
    format!(
        "waiting for {operation}{on} (AWS says {code}: {message}), {} s of {} s",
        waited.as_secs(),
        limit.as_secs()
    )
}

/// Somewhere in [wait/2, wait): calls throttled together (a parallel apply) must not all
/// come back at the same moment and be throttled together again.
fn jittered(wait: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded randomly per instance: enough randomness without another crate.
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let fraction = (random % 1000) as f64 / 2000.0;
    wait.mul_f64(0.5 + fraction)
}

/// Attempts for transient errors, on top of the SDK's own retries.
pub const TRANSIENT_ATTEMPTS: u32 = 5;

/// Loads the default credential chain (environment, profiles, web identity / OIDC, ...),
/// honouring AWS_ENDPOINT_URL, and checks that credentials exist before anything is called.
pub async fn connect(region: Option<&str>) -> Result<Clients, AwsError> {
    let mut retry = RetryConfig::standard().with_max_attempts(5);
    if let Some(base) = retry_base() {
        retry = retry.with_initial_backoff(base);
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(20))
                .operation_timeout(Duration::from_secs(90))
                .build(),
        );
    if let Some(r) = region {
        loader = loader.region(Region::new(r.to_string()));
    }
    let config = loader.load().await;
    let region = config.region().map(|r| r.to_string()).ok_or(AwsError::NoRegion)?;
    let provider = config
        .credentials_provider()
        .ok_or_else(|| AwsError::NoCredentials("no credential provider is configured".into()))?;
    provider.provide_credentials().await.map_err(|e| {
        AwsError::NoCredentials(format!(
            "{} (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or use aws-actions/configure-aws-credentials)",
            aws_sdk_applicationautoscaling::error::DisplayErrorContext(&e)
        ))
    })?;
    Ok(Clients {
        region,
        autoscaling: aws_sdk_applicationautoscaling::Client::new(&config),
        cloudwatch: aws_sdk_cloudwatch::Client::new(&config),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Hint;

    fn call(code: &str, message: &str) -> AwsError {
        AwsError::Call {
            operation: "DescribeScalingPolicies",
            code: Some(code.into()),
            message: message.into(),
        }
    }

    #[test]
    fn failed_resource_access_is_retried_only_when_cloudwatch_throttled() {
        let throttled = call(
            "FailedResourceAccessException",
            "Unable to retrieve alarms for scaling policy: Rate exceeded (Service: AmazonCloudWatch; Status Code: 400; Error Code: Throttling)",
        );
        assert!(throttled.is_transient());
        assert_eq!(throttled.hint(), None);
        let denied = call(
            "FailedResourceAccessException",
            "User: arn:aws:sts::1:assumed-role/x is not authorized to perform: cloudwatch:DescribeAlarms",
        );
        assert!(!denied.is_transient());
        assert!(
            denied
                .hint()
                .is_some_and(|h| h.contains("cloudwatch:DescribeAlarms"))
        );
    }

    #[test]
    fn propagation_and_permission_errors_are_told_apart() {
        let not_visible = call("ObjectNotFoundException", "No scalable target registered");
        let role = call(
            "ValidationException",
            "Unable to assume IAM role: arn:aws:iam::1:role/aws-service-role/x",
        );
        let cloudwatch = call(
            "FailedResourceAccessException",
            "User: x is not authorized to perform: cloudwatch:DescribeAlarms",
        );
        let invalid = call(
            "ValidationException",
            "Maximum capacity cannot be less than minimum",
        );
        let denied = call("AccessDeniedException", "User: x is not allowed");
        assert!(not_visible.is_propagating() && role.is_propagating() && cloudwatch.is_propagating());
        assert!(!invalid.is_propagating() && !denied.is_propagating());
        assert_eq!(
            denied.permission_denial(),
            Some(("DescribeScalingPolicies", "AccessDeniedException"))
        );
        assert_eq!(
            cloudwatch.permission_denial(),
            Some(("DescribeScalingPolicies", "FailedResourceAccessException"))
        );
        assert_eq!(invalid.permission_denial(), None);
        assert_eq!(role.permission_denial(), None);
    }

    #[test]
    fn access_denied_hint_names_cloudwatch_tag_resource() {
        let e = call(
            "AccessDeniedException",
            "not authorized to perform: cloudwatch:TagResource",
        );
        assert!(e.hint().is_some_and(|h| h.contains("TagResource")));
    }
}
