//! `prax skill test`: a skill's examples and case files run against its component in the real
//! sandbox, with no server: settings, LLM answers and network hosts come from the case file's
//! stand-ins, mail goes to a stand-in SMTP server; the manifest's permissions still hold; each
//! case gets a line, the run a `N passed, N failed` line and an exit code that says whether all
//! passed.

use std::path::Path;

use praximous_e2e::registry::prax;
use praximous_e2e::{component, install_unsigned_skill};

/// A skill folder `work/<name>` holding the built-in `name`'s manifest and component, as an
/// author's folder would after `prax skill build`.
fn skill_folder(work: &Path, name: &str) -> std::path::PathBuf {
    let manifest = std::fs::read_to_string(
        praximous_e2e::repo_root()
            .join("skills-wasm")
            .join(name)
            .join("skill.yaml"),
    )
    .unwrap_or_else(|e| panic!("{name}'s manifest: {e}"));
    // install_unsigned_skill writes <dir>/skills/<name>/; take that folder.
    let dir = install_unsigned_skill(work, name, &manifest, &component(name));
    let cases = dir.join("tests");
    std::fs::create_dir_all(&cases).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn write_cases(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join("tests").join(file), text).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn stand_ins_answer_for_settings_hosts_and_the_llm() {
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let weather = skill_folder(work.path(), "weather_tool");
    write_cases(
        &weather,
        "cases.yaml",
        r#"stand_ins:
  config: { api_key: test-key }
  hosts:
    api.openweathermap.org:
      /data/2.5/weather?q=Paris%2CFR&appid=test-key&units=metric: { body: { main: { temp: 21.5 } } }
      /data/2.5/weather: { status: 404, body: { message: city not found } }
      /data/2.5/forecast: { body: { list: [] } }
cases:
  - name: reads the weather from the API with the operator's key
    request: { prompt: Paris, location: "Paris,FR" }
    expect:
      result: { location: "Paris,FR", weather_info: { main: { temp: 21.5 } }, units: metric }
  - name: says what the API said when it fails
    request: { prompt: nowhere, location: Atlantis }
    expect:
      error: { status: 400, contains: city not found }
"#,
    );
    let run = prax(
        work.path(),
        &["skill", "test", &weather.display().to_string()],
        &[],
    )
    .ok("weather_tool's cases");
    assert!(
        run.stdout.contains("ok    example of get_current_weather"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("4 passed, 0 failed"),
        "two examples and two cases: {}",
        run.stdout
    );

    let summary = skill_folder(work.path(), "internal_summary");
    write_cases(
        &summary,
        "cases.yaml",
        "stand_ins:\n  llm: Sales up, returns down.\ncases:\n  - name: the summary is the LLM's answer\n    request: { prompt: \"A long report\" }\n    expect:\n      result: { summary: \"Sales up, returns down.\" }\n",
    );
    let run = prax(
        work.path(),
        &["skill", "test", &summary.display().to_string()],
        &[],
    )
    .ok("internal_summary's cases");
    assert!(run.stdout.contains("2 passed, 0 failed"), "{}", run.stdout);

    // Mail goes to a stand-in SMTP server that keeps it, for the case to check.
    let mail = skill_folder(work.path(), "email_sender");
    write_cases(
        &mail,
        "cases.yaml",
        r#"cases:
  - name: sends the report
    request: { prompt: "All green.", to: "ops@example.com, cto@example.com", subject: Weekly report }
    expect:
      mail:
        - { from: skill-test@praximous.test, to: [ops@example.com, cto@example.com], subject: Weekly report, body: All green. }
  - name: a wrong recipient is noticed
    request: { prompt: "All green.", to: ops@example.com }
    expect:
      mail: [{ to: [someone-else@example.com] }]
"#,
    );
    let run = prax(
        work.path(),
        &["skill", "test", &mail.display().to_string()],
        &[],
    );
    assert!(
        run.stdout.contains("ok    cases.yaml: sends the report"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("FAIL  cases.yaml: a wrong recipient is noticed"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("2 passed, 1 failed"), "{}", run.stdout);
}

#[test]
fn failures_are_shown_and_counted_and_permissions_still_hold() {
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let math = skill_folder(work.path(), "simple_math");
    write_cases(
        &math,
        "cases.yaml",
        r#"cases:
  - name: adds
    request: { num1: 2, num2: 3, operation: add }
    expect: { result: { result: 5 } }
  - name: a wrong expectation
    request: { num1: 2, num2: 3, operation: add }
    expect: { result: { result: 6 } }
  - name: an error where a result was expected
    request: { num1: 1, num2: 0, operation: divide }
"#,
    );
    let run = prax(
        work.path(),
        &["skill", "test", &math.display().to_string()],
        &[],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("ok    cases.yaml: adds"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("FAIL  cases.yaml: a wrong expectation"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("expected the result to have {\"result\":6}"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("failed (400)"), "{}", run.stdout);
    assert!(run.stdout.contains("2 passed, 2 failed"), "{}", run.stdout);
    assert!(run.stderr.contains("2 of 4 cases failed"), "{}", run.stderr);

    // The hosts a skill may reach are still its manifest's (here, as the operator allows
    // them): a host outside them is refused by the sandbox, stand-in or not.
    let scraper = skill_folder(work.path(), "web_scraper");
    write_cases(
        &scraper,
        "cases.yaml",
        r#"stand_ins:
  config: { allow_hosts: [example.com] }
  hosts:
    example.com:
      /: { body: "<html><head><title>Hi</title></head><body><p>Hello <a href='/x'>x</a></p></body></html>" }
    other.org:
      /: { body: "<html>secret</html>" }
cases:
  - name: an allowed host answers
    request: { prompt: "", url: "https://example.com/", operation: extract_text }
    expect: { result: { url: "https://example.com/" } }
  - name: another host is refused
    request: { prompt: "", url: "https://other.org/" }
    expect: { error: { status: 403 } }
"#,
    );
    let run = prax(
        work.path(),
        &["skill", "test", &scraper.display().to_string()],
        &[],
    )
    .ok("web_scraper's cases");
    assert!(
        run.stdout
            .contains("ok    cases.yaml: another host is refused"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(" 0 failed"), "{}", run.stdout);

    // A case file with a misspelt key is refused, naming the file.
    write_cases(
        &math,
        "broken.yaml",
        "cases:\n  - name: x\n    requets: {}\n",
    );
    let broken = prax(
        work.path(),
        &["skill", "test", &math.display().to_string()],
        &[],
    );
    assert_eq!(broken.code, 1);
    assert!(
        broken.stderr.contains("broken.yaml") && broken.stderr.contains("requets"),
        "{}",
        broken.stderr
    );
}
