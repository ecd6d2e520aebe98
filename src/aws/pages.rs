//! How a read is spread over calls: page chains followed from token to token, each page with
//! the readers' retries, and never taken for all AWS holds when its tokens do not end; lists
//! cut into what one call takes; independent calls run concurrently with a bound.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_applicationautoscaling::types as aas;
use futures::{StreamExt, TryStreamExt, stream};

use super::AwsError;

/// Concurrent AWS calls while reading.
pub(super) const READ_CONCURRENCY: usize = 8;

/// Pages one listing may take before it counts as unfinished: a guard against a server whose
/// pages never end (moto's DescribeScalableTargets repeats its token forever). 1,000 pages is
/// 50,000 targets or 10,000 scaling policies: a listing that long falls back to reads by
/// target, which such a namespace makes cheaper anyway.
const MAX_PAGES: usize = 1000;

/// Empty pages in a row, each with a new token, after which a listing counts as unfinished.
/// AWS may answer a page with nothing on it and a NextToken (a filtered page; the caller is to
/// go on), but not page after page: 20 such pages are far past what a real listing shows, and
/// ending there spares an endless chain 980 calls before MAX_PAGES would stop it.
const MAX_EMPTY_PAGES: usize = 20;

/// Follows `next_token` to the last page; `operation` names the call in errors. A chain that
/// does not end (a token comes back, MAX_EMPTY_PAGES empty pages pass in a row, or MAX_PAGES
/// pages pass) is [`AwsError::Unfinished`], never a shorter list.
pub(super) async fn paginate<T, F, Fut>(
    calls: &AtomicUsize,
    operation: &'static str,
    page: F,
) -> Result<Vec<T>, AwsError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), AwsError>>,
{
    Ok(paginate_until(calls, operation, page, |_: &[T]| false).await?.0)
}

/// As [`paginate`], but stops early, before asking for the next page, once `enough` says so;
/// with whether every page was read.
pub(super) async fn paginate_until<T, F, Fut>(
    calls: &AtomicUsize,
    operation: &'static str,
    mut page: F,
    enough: impl Fn(&[T]) -> bool,
) -> Result<(Vec<T>, bool), AwsError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), AwsError>>,
{
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    let mut seen = BTreeSet::new();
    let mut empty_in_a_row = 0;
    let unfinished = |why: String| Err(AwsError::Unfinished { operation, why });
    for pages in 1..=MAX_PAGES {
        let (mut batch, next) = super::with_retries(|| {
            calls.fetch_add(1, Ordering::Relaxed);
            page(token.clone())
        })
        .await?;
        empty_in_a_row = if batch.is_empty() { empty_in_a_row + 1 } else { 0 };
        items.append(&mut batch);
        match next.filter(|t| !t.is_empty()) {
            None => return Ok((items, true)),
            Some(_) if enough(&items) => return Ok((items, false)),
            Some(_) if empty_in_a_row == MAX_EMPTY_PAGES => {
                return unfinished(format!(
                    "{MAX_EMPTY_PAGES} empty pages in a row, each with a new token, after {pages} pages"
                ));
            }
            Some(t) if seen.insert(t.clone()) => token = Some(t),
            Some(_) => {
                return unfinished(format!(
                    "AWS gave back a page token it had given before, after {pages} pages"
                ));
            }
        }
    }
    unfinished(format!("more than {MAX_PAGES} pages"))
}

/// `read` over `items` in chunks of `size` (what one call takes), concurrently, flattened.
pub(super) async fn in_chunks<'a, I, T, F, Fut>(
    items: &'a [I],
    size: usize,
    read: F,
) -> Result<Vec<T>, AwsError>
where
    F: Fn(&'a [I]) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, AwsError>>,
{
    let pages: Vec<Vec<T>> = stream::iter(items.chunks(size))
        .map(read)
        .buffer_unordered(READ_CONCURRENCY)
        .try_collect()
        .await?;
    Ok(pages.into_iter().flatten().collect())
}

/// Says on stderr that a whole-namespace listing did not finish and what is read instead: the
/// plan is still complete, at the cost of more calls.
pub(super) fn fell_back(unfinished: &AwsError, instead: &str) {
    eprintln!("note: {unfinished}; {instead}");
}

/// Whose policies or scheduled actions a Describe call lists.
#[derive(Clone, Copy)]
pub(super) enum Among<'a> {
    /// One target's.
    Target(&'a str, &'a aas::ScalableDimension),
    /// Every target's in the namespace.
    Namespace,
}

/// One page chain of an Application Auto Scaling Describe call that lists the objects of one
/// target or of the namespace (`Among`): `$request` the client's method, `$items` what its
/// answer lists. Scaling policies and scheduled actions are listed alike; the SDK gives their
/// requests no common type, so the chain is written once here.
macro_rules! describe_among {
    ($clients:expr, $among:expr, $calls:expr, $operation:literal, $request:ident, $items:ident) => {
        crate::aws::pages::paginate($calls, $operation, |token| async move {
            let req = $clients
                .autoscaling
                .$request()
                .service_namespace(crate::aws::namespace())
                .set_next_token(token);
            let req = match $among {
                crate::aws::pages::Among::Target(rid, dimension) => {
                    req.resource_id(rid).scalable_dimension(dimension.clone())
                }
                crate::aws::pages::Among::Namespace => req,
            };
            let out = req
                .send()
                .await
                .map_err(|e| crate::aws::call_error($operation, e))?;
            Ok((out.$items().to_vec(), out.next_token().map(str::to_string)))
        })
        .await
    };
}
pub(super) use describe_among;

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages of one item each, with the tokens `next` gives after each page.
    fn pages(next: impl Fn(usize) -> Option<String>) -> Result<(Vec<usize>, bool), AwsError> {
        pages_holding(|i| vec![i], next).0
    }

    /// Page `i` (from 1) holds `items(i)` and gives the token `next(i)`; with the calls made.
    fn pages_holding(
        items: impl Fn(usize) -> Vec<usize>,
        next: impl Fn(usize) -> Option<String>,
    ) -> (Result<(Vec<usize>, bool), AwsError>, usize) {
        let calls = AtomicUsize::new(0);
        let n = &calls;
        let (items, next) = (&items, &next);
        let read = futures::executor::block_on(paginate_until(
            n,
            "DescribeAlarms",
            |_| async move {
                let i = n.load(Ordering::Relaxed);
                Ok((items(i), next(i)))
            },
            |_| false,
        ));
        (read, calls.load(Ordering::Relaxed))
    }

    #[test]
    fn empty_pages_end_a_listing_only_when_they_do_not_stop() {
        let token = |i: usize| Some(i.to_string());
        // Empty pages with new tokens for ever: unfinished after MAX_EMPTY_PAGES calls.
        let (endless, calls) = pages_holding(|_| vec![], token);
        let endless = endless.unwrap_err().to_string();
        assert!(
            endless.contains("(20 empty pages in a row, each with a new token, after 20 pages)"),
            "{endless}"
        );
        assert_eq!(calls, MAX_EMPTY_PAGES);
        // One short of the bound, twice, between pages with items: the listing completes.
        let some = |i: usize| match i {
            1 | 21 | 41 => vec![i],
            _ => vec![],
        };
        let (read, calls) = pages_holding(some, |i| (i < 41).then(|| i.to_string()));
        assert_eq!(read.ok(), Some((vec![1, 21, 41], true)));
        assert_eq!(calls, 41);
        // The count starts again after an item: 19 empty, an item, 20 empty.
        let late = |i: usize| if i == 20 { vec![i] } else { vec![] };
        let (read, calls) = pages_holding(late, token);
        assert!(read.is_err());
        assert_eq!(calls, 40);
    }

    #[test]
    fn a_page_chain_that_does_not_end_is_an_error_not_a_shorter_list() {
        assert_eq!(
            pages(|i| (i < 3).then(|| i.to_string())).ok(),
            Some((vec![1, 2, 3], true))
        );
        let repeated = pages(|i| Some((i.min(2)).to_string())).unwrap_err().to_string();
        assert!(
            repeated.starts_with("DescribeAlarms did not finish listing (AWS gave back a page token it had given before, after 3 pages)"),
            "{repeated}"
        );
        let endless = pages(|i| Some(i.to_string())).unwrap_err().to_string();
        assert!(endless.contains("(more than 1000 pages)"), "{endless}");
    }
}
