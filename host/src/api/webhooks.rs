//! `POST /api/v1/webhooks/paddle`: Paddle Billing's notifications, on the vendor's server
//! (`[commerce]`). Authenticated by the signature over the raw body, not by an API key.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use utoipa_axum::routes;

use super::access::ApiRoutes;
use super::error::{ApiError, ErrorBody, ErrorCode};
use crate::commerce::{Commerce, WebhookError};

/// The header Paddle signs each delivery in.
const SIGNATURE: &str = "paddle-signature";

/// What became of a notification.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookAnswer {
    /// Paddle's event id.
    pub event_id: String,
    /// Its event type.
    pub event_type: String,
    /// `recorded`, `duplicate` (received before: nothing done again) or `ignored` (an event
    /// type or price Praximous does not act on).
    pub status: String,
    /// In a sentence.
    pub detail: String,
}

/// Receive a Paddle Billing notification: verified, recorded once per event id, answered at
/// once; the licence it buys is signed and e-mailed after the answer.
#[utoipa::path(post, path = "/api/v1/webhooks/paddle", tag = "system",
    request_body(content = String, content_type = "application/json", description = "The notification, exactly as Paddle sent it"),
    params(("Paddle-Signature" = String, Header, description = "ts=<unix seconds>;h1=<HMAC-SHA256 hex>")),
    responses(
        (status = 200, description = "Recorded, received before, or ignored", body = WebhookAnswer),
        (status = 400, description = "Not a notification that can be read; nothing was stored", body = ErrorBody),
        (status = 401, description = "The signature is missing, does not match, or is too old", body = ErrorBody),
        (status = 404, description = "This server does not provision licences (no [commerce])", body = ErrorBody),
        (status = 413, description = "The body is larger than the server accepts", body = ErrorBody),
        (status = 503, description = "The store is unavailable; Paddle retries", body = ErrorBody),
    ))]
pub async fn paddle(
    State(commerce): State<Option<Arc<Commerce>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<WebhookAnswer>, ApiError> {
    let Some(commerce) = commerce else {
        return Err(ApiError::not_found(
            "this server does not provision licences: Paddle webhooks need a [commerce] table in its configuration",
        ));
    };
    let body =
        body.map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))?;
    let signature = headers
        .get(SIGNATURE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let outcome = tokio::task::spawn_blocking(move || {
        commerce.receive(signature.as_deref(), &body, time::OffsetDateTime::now_utc())
    })
    .await
    .map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("webhook task failed: {e}"),
        )
    })?;
    match outcome {
        Ok(outcome) => {
            tracing::info!(
                event_id = %outcome.event_id,
                event_type = %outcome.event_type,
                status = outcome.status,
                "Paddle notification: {}",
                outcome.detail
            );
            Ok(Json(WebhookAnswer {
                event_id: outcome.event_id,
                event_type: outcome.event_type,
                status: outcome.status.into(),
                detail: outcome.detail,
            }))
        }
        Err(error) => {
            tracing::warn!(%error, "Paddle notification refused");
            Err(match error {
                WebhookError::Signature(e) => {
                    ApiError::new(StatusCode::UNAUTHORIZED, e.to_string())
                        .with_code(ErrorCode::NotAuthenticated)
                }
                WebhookError::Malformed(e) => ApiError::new(StatusCode::BAD_REQUEST, e.to_string()),
                WebhookError::Store(e) => ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "cannot record the notification now ({e}); Paddle will deliver it again"
                    ),
                ),
            })
        }
    }
}

/// The webhook receivers: public (each checks its own signature).
pub fn routes() -> ApiRoutes {
    ApiRoutes::new().public(routes!(paddle))
}
