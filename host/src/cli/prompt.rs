//! Asking the operator: visible answers, hidden secrets, and yes/no, from a terminal or a
//! pipe. End of input is an answer too ("stop"); Ctrl-C restores the terminal and exits
//! with 130 before anything is written.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Set by the Ctrl-C handler, which then exits the process with 130.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The operator stopped answering (end of input).
#[derive(Debug, thiserror::Error)]
#[error("input ended before every question was answered; nothing was changed")]
pub struct InputEnded;

/// Reads answers from stdin, prompts on stderr.
pub struct Prompter {
    terminal: bool,
}

impl Prompter {
    /// A prompter on the process's stdin. On a terminal, Ctrl-C restores its settings (echo
    /// may be off while a secret is typed) and exits with code 130.
    pub fn new() -> Self {
        let terminal = std::io::stdin().is_terminal();
        if terminal {
            let saved = rustix::termios::tcgetattr(std::io::stdin()).ok();
            let _ = ctrlc::set_handler(move || {
                INTERRUPTED.store(true, Ordering::SeqCst);
                if let Some(saved) = &saved {
                    let _ = rustix::termios::tcsetattr(
                        std::io::stdin(),
                        rustix::termios::OptionalActions::Now,
                        saved,
                    );
                }
                eprintln!("\nInterrupted: nothing was changed.");
                std::process::exit(130);
            });
        }
        Self { terminal }
    }

    /// Ask for a value, showing `default`; an empty answer keeps it.
    pub fn ask(&mut self, label: &str, default: &str) -> Result<String, InputEnded> {
        eprint!("{label} [{default}]: ");
        let _ = std::io::stderr().flush();
        let answer = read_line()?;
        Ok(if answer.is_empty() {
            default.to_owned()
        } else {
            answer
        })
    }

    /// Ask for a secret without echoing it (on a terminal). `None` means "keep as is".
    pub fn ask_secret(&mut self, label: &str, current: &str) -> Result<Option<String>, InputEnded> {
        let question = format!("{label} [{current}]: ");
        let answer = if self.terminal {
            match rpassword::prompt_password(question) {
                Ok(answer) => answer,
                Err(_) => return Err(ended()),
            }
        } else {
            eprint!("{question}");
            read_line()?
        };
        let answer = answer.trim().to_owned();
        Ok((!answer.is_empty()).then_some(answer))
    }

    /// Ask a yes/no question; only `y` or `yes` is yes.
    pub fn confirm(&mut self, question: &str) -> Result<bool, InputEnded> {
        eprint!("{question} [y/N]: ");
        let _ = std::io::stderr().flush();
        let answer = read_line()?.to_ascii_lowercase();
        Ok(answer == "y" || answer == "yes")
    }
}

impl Default for Prompter {
    fn default() -> Self {
        Self::new()
    }
}

fn read_line() -> Result<String, InputEnded> {
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => Err(ended()),
        Ok(_) => Ok(line.trim().to_owned()),
    }
}

/// Input stopped. If that was Ctrl-C, the signal interrupted the read before the handler
/// ran: leave the exit (130, terminal restored) to the handler rather than race it.
fn ended() -> InputEnded {
    let deadline = Instant::now() + Duration::from_millis(300);
    while Instant::now() < deadline {
        if INTERRUPTED.load(Ordering::SeqCst) {
            loop {
                std::thread::park();
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    eprintln!();
    InputEnded
}
