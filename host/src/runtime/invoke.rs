//! One invocation: a fresh instance in a fresh store, limits on, `run` called, store dropped.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::TryAcquireError;
use wasmtime::{Store, Trap, UpdateDeadline};

use super::bindings::types::{Failure, Invocation};
use super::capabilities::CapabilityStates;
use super::capability::InstanceSeed;
use super::limits::{EffectiveLimits, SkillLimiter};
use super::share::Share;
use super::state::SkillState;
use super::{PreparedSkill, Runtime};
use crate::deadline::within;

/// A request for a skill to run: the request's own data only; what the skill may use besides
/// was granted when it was prepared.
#[derive(Debug, Clone)]
pub struct Call {
    /// Request id (also in the answer and the logs).
    pub request_id: Arc<str>,
    /// The task type the caller sent.
    pub task_type: String,
    /// The caller's prompt.
    pub prompt: String,
    /// The caller's extra fields, as a JSON object.
    pub params: serde_json::Map<String, serde_json::Value>,
    /// The API key the request came with (its id), if any.
    pub key_id: Option<Arc<str>>,
    /// That key's role (none: the server takes requests without keys).
    pub caller_role: Option<crate::auth::Role>,
    /// Where the skill's partial output (`output.emit`) goes, when the caller streams.
    pub deltas: Option<DeltaSink>,
}

/// The receiving end's sender for a skill's partial output. Unbounded, because the skill's
/// emit budget (`[skills] max_emit_bytes`) bounds what can be in it.
pub type DeltaSink = tokio::sync::mpsc::UnboundedSender<String>;

/// A skill's successful result.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillOutput {
    /// The result data: a JSON object, or null.
    pub data: serde_json::Value,
    /// The skill's summary message.
    pub message: Option<String>,
    /// The skill's details.
    pub details: Option<String>,
}

/// Which side of the request a skill blamed for its failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The caller's input (HTTP 400).
    BadInput,
    /// A capability was not granted (HTTP 403).
    Denied,
    /// The skill itself (HTTP 500).
    Internal,
}

/// Why an invocation produced no result.
#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    /// The skill ran and reported a failure.
    #[error("{}", failure_detail(.message, .details.as_deref()))]
    Refused {
        /// Whose fault it was.
        kind: FailureKind,
        /// The skill's error.
        message: String,
        /// The skill's details.
        details: Option<String>,
    },
    /// The skill ran past its CPU budget or wall-clock deadline.
    #[error("Skill '{skill}' exceeded its time limit of {limit_ms} ms and was stopped.")]
    TimedOut {
        /// The skill.
        skill: String,
        /// The limit it ran into.
        limit_ms: u128,
    },
    /// The skill tried to use more memory than allowed.
    #[error("Skill '{skill}' exceeded its memory limit of {limit_mb} MiB and was stopped.")]
    MemoryExceeded {
        /// The skill.
        skill: String,
        /// The limit.
        limit_mb: usize,
    },
    /// The skill trapped (panic, stack overflow, bad memory access...).
    #[error("Skill '{skill}' crashed ({reason}); see the server log for request {request_id}.")]
    Crashed {
        /// The skill.
        skill: String,
        /// The kind of trap.
        reason: String,
        /// The request, to find the log lines.
        request_id: String,
    },
    /// The skill's result is larger than the operator allows.
    #[error("Skill '{skill}' returned {size} bytes, more than the {limit} bytes allowed.")]
    OutputTooLarge {
        /// The skill.
        skill: String,
        /// Size of the result.
        size: usize,
        /// The ceiling.
        limit: usize,
    },
    /// The skill's result data is not a JSON object.
    #[error("Skill '{skill}' returned invalid result data: {problem}")]
    InvalidOutput {
        /// The skill.
        skill: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Every instance slot stayed busy for the whole deadline.
    #[error("All {capacity} skill instance slots are busy; try again shortly.")]
    Busy {
        /// Number of slots.
        capacity: u32,
    },
    /// The skill's share of the slots stayed in use for the whole deadline.
    #[error(
        "Skill '{skill}' already has {limit} calls running, its share of the instance slots; try again shortly."
    )]
    SkillBusy {
        /// The skill.
        skill: String,
        /// Its share.
        limit: u32,
    },
    /// The calling key's share of the slots stayed in use for the whole deadline.
    #[error(
        "This API key already has {limit} skill calls running, its share of the instance slots; send the next when one has finished."
    )]
    KeyBusy {
        /// Its share.
        limit: u32,
    },
}

impl InvokeError {
    /// The HTTP status an answer with this error has: 400/403/500 as the skill said whose
    /// fault it was, 504 past its time, 503 or 429 when no slot was free, else 500.
    pub fn status(&self) -> u16 {
        match self {
            Self::Refused { kind, .. } => match kind {
                FailureKind::BadInput => 400,
                FailureKind::Denied => 403,
                FailureKind::Internal => 500,
            },
            Self::TimedOut { .. } => 504,
            Self::Busy { .. } | Self::SkillBusy { .. } => 503,
            Self::KeyBusy { .. } => 429,
            Self::MemoryExceeded { .. }
            | Self::Crashed { .. }
            | Self::OutputTooLarge { .. }
            | Self::InvalidOutput { .. } => 500,
        }
    }
}

fn failure_detail(message: &str, details: Option<&str>) -> String {
    match details {
        Some(details) if !details.is_empty() => format!("{message} (Details: {details})"),
        _ => message.to_owned(),
    }
}

impl Runtime {
    /// Run `call` on a fresh instance of `skill`, under its limits.
    pub async fn invoke(
        &self,
        skill: &PreparedSkill,
        call: Call,
    ) -> Result<SkillOutput, InvokeError> {
        let started = Instant::now();
        let limits = EffectiveLimits::new(
            &skill.limits,
            self.settings.max_memory_mb,
            self.settings.max_timeout_ms,
        );
        let name = &skill.name;
        // The key's share and the skill's are taken at once or not at all: a caller or a skill
        // over its share is turned away (429, 503) rather than queued in front of others.
        // Only the pool itself is waited for, up to the deadline.
        let _key_slot = match &call.key_id {
            Some(key_id) => Some(Share::try_take(self.key_slots(key_id)).ok_or(
                InvokeError::KeyBusy {
                    limit: self.settings.max_concurrent_per_key,
                },
            )?),
            None => None,
        };
        let _skill_slot = Share::try_take(&skill.slots).ok_or_else(|| InvokeError::SkillBusy {
            skill: name.to_string(),
            limit: self.settings.max_concurrent_per_skill,
        })?;
        // Both the wait for a slot and the run itself end at the skill's wall-clock limit.
        let deadline = tokio::time::Instant::now() + limits.wall;
        let busy = || InvokeError::Busy {
            capacity: self.settings.max_concurrent,
        };
        let _slot = match self.slots.try_acquire() {
            Ok(slot) => slot,
            Err(TryAcquireError::NoPermits) => within(deadline, self.slots.acquire())
                .await
                .ok()
                .and_then(Result::ok)
                .ok_or_else(busy)?,
            Err(TryAcquireError::Closed) => return Err(busy()),
        };

        let capabilities = CapabilityStates::new(
            skill.grants.clone(),
            InstanceSeed {
                request_id: call.request_id.clone(),
                key_id: call.key_id,
                caller_role: call.caller_role,
                deltas: call.deltas,
                budgets: self.budgets,
            },
        );
        let state = SkillState::new(
            capabilities,
            SkillLimiter::new(limits.memory_bytes),
            limits.cpu_ticks,
        );
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|mut ctx| {
            let state = ctx.data_mut();
            state.ticks_used += 1;
            if state.ticks_used >= state.ticks_budget {
                state.cpu_exceeded = true;
                return Err(wasmtime::format_err!("CPU budget exhausted"));
            }
            // Yield every tick so a busy guest never holds a runtime worker for long.
            Ok(UpdateDeadline::Yield(1))
        });

        let invocation = Invocation {
            request_id: call.request_id.to_string(),
            task_type: call.task_type,
            prompt: call.prompt,
            params: serde_json::Value::Object(call.params).to_string(),
        };
        let result = within(deadline, async {
            let instance = skill.pre.instantiate_async(&mut store).await?;
            instance.call_run(&mut store, &invocation).await
        })
        .await;
        tracing::debug!(skill = %name, request_id = %call.request_id, elapsed_us = started.elapsed().as_micros() as u64, "skill call finished");

        let state = store.data();
        match result {
            Err(_elapsed) => Err(InvokeError::TimedOut {
                skill: name.to_string(),
                limit_ms: limits.wall.as_millis(),
            }),
            Ok(Err(error)) => {
                Err(self.classify_trap(name, &call.request_id, &limits, state, error))
            }
            Ok(Ok(Err(failure))) => Err(refused(failure)),
            Ok(Ok(Ok(outcome))) => {
                let size = outcome.data.len()
                    + outcome.message.as_ref().map_or(0, String::len)
                    + outcome.details.as_ref().map_or(0, String::len);
                if size > self.settings.max_output_bytes {
                    return Err(InvokeError::OutputTooLarge {
                        skill: name.to_string(),
                        size,
                        limit: self.settings.max_output_bytes,
                    });
                }
                let data: serde_json::Value = serde_json::from_str(&outcome.data).map_err(|e| {
                    InvokeError::InvalidOutput {
                        skill: name.to_string(),
                        problem: format!("not JSON ({e})"),
                    }
                })?;
                if !(data.is_object() || data.is_null()) {
                    return Err(InvokeError::InvalidOutput {
                        skill: name.to_string(),
                        problem: "it must be a JSON object".into(),
                    });
                }
                Ok(SkillOutput {
                    data,
                    message: outcome.message,
                    details: outcome.details,
                })
            }
        }
    }

    fn classify_trap(
        &self,
        skill: &str,
        request_id: &str,
        limits: &EffectiveLimits,
        state: &SkillState,
        error: wasmtime::Error,
    ) -> InvokeError {
        let captured = state.captured_output();
        tracing::warn!(skill, request_id, error = %format!("{error:?}"), guest_output = %captured.trim_end(), "skill stopped abnormally");
        if state.limiter.memory_exceeded {
            return InvokeError::MemoryExceeded {
                skill: skill.to_owned(),
                limit_mb: limits.memory_mb(),
            };
        }
        if state.cpu_exceeded {
            return InvokeError::TimedOut {
                skill: skill.to_owned(),
                limit_ms: u128::from(state.ticks_budget) * super::engine::EPOCH_TICK.as_millis(),
            };
        }
        let reason = match error.downcast_ref::<Trap>() {
            Some(Trap::StackOverflow) => "stack overflow".to_owned(),
            Some(Trap::UnreachableCodeReached) if captured.contains("panicked") => {
                "panic".to_owned()
            }
            Some(trap) => trap.to_string(),
            None => format!("{}", error.root_cause()),
        };
        InvokeError::Crashed {
            skill: skill.to_owned(),
            reason,
            request_id: request_id.to_owned(),
        }
    }
}

fn refused(failure: Failure) -> InvokeError {
    let (kind, info) = match failure {
        Failure::BadInput(info) => (FailureKind::BadInput, info),
        Failure::Denied(info) => (FailureKind::Denied, info),
        Failure::Internal(info) => (FailureKind::Internal, info),
    };
    InvokeError::Refused {
        kind,
        message: info.message,
        details: info.details,
    }
}
