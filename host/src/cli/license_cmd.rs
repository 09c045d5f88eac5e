//! `prax license`: install and show the licence (operators), make vendor keys and issue
//! licences (the vendor).

use std::io::Read as _;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::keys_cmd::StoreArgs;
use crate::config::Config;
use crate::environment::Environment;
use crate::license::live::KEY_FILE;
use crate::license::token::{self, PRODUCT, Payload};
use crate::license::vendor::{self, VendorKey};
use crate::license::{Feature, LicenseStatus, Licensing, Tier};

/// `prax license` commands.
#[derive(Debug, Subcommand)]
pub enum LicenseCommand {
    /// Verify a licence key and install it (FILE, or - for standard input); a running server
    /// takes it up within `[license] refresh_ms`.
    Install(InstallArgs),
    /// Show the licence in force: state, tier, customer, seats, expiry, features.
    Show(StoreArgs),
    /// (Vendor) make a licence-signing key pair: DIR/vendor.key and DIR/vendor.pub.
    Keygen(KeygenArgs),
    /// (Vendor) issue a licence key signed with a vendor key; printed on standard output.
    Issue(IssueArgs),
    /// (Vendor, with `[commerce]`) the licences Paddle purchases provisioned, and their e-mail.
    Sales(super::sales_cmd::SalesArgs),
    /// (Vendor, with `[commerce]`) e-mail a provisioned licence again.
    Resend(super::sales_cmd::ResendArgs),
}

/// `prax license install` options.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// The licence key file, or - to read it from standard input.
    pub file: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub place: StoreArgs,
}

/// `prax license keygen` options.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Folder to write vendor.key (private, owner-only) and vendor.pub into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `prax license issue` options.
#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The vendor's private key (vendor.key).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The customer's name.
    #[arg(long)]
    pub customer: String,
    /// The customer's e-mail address.
    #[arg(long)]
    pub email: String,
    /// standard, team, pro or enterprise.
    #[arg(long, value_parser = parse_tier)]
    pub tier: Tier,
    /// Days it is valid from now.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3660), required_unless_present = "until", conflicts_with = "until")]
    pub days: Option<u32>,
    /// The moment it stops instead (RFC 3339, e.g. 2027-12-31T23:59:59Z), e.g. to match a
    /// subscription's end.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// The product it is for (only tests name another).
    #[arg(long, default_value = PRODUCT, hide = true)]
    pub product: String,
    /// Seats, if not the tier's.
    #[arg(long)]
    pub seats: Option<u32>,
    /// A feature beyond the tier's (repeatable).
    #[arg(long = "feature", value_parser = parse_feature)]
    pub features: Vec<Feature>,
    /// The licence id [default: a new one].
    #[arg(long)]
    pub id: Option<String>,
}

fn parse_tier(text: &str) -> Result<Tier, String> {
    Tier::parse(text).ok_or_else(|| format!("`{text}`: use standard, team, pro or enterprise"))
}

fn parse_feature(text: &str) -> Result<Feature, String> {
    Feature::ALL
        .into_iter()
        .find(|f| f.as_str() == text)
        .ok_or_else(|| {
            let names: Vec<&str> = Feature::ALL.iter().map(|f| f.as_str()).collect();
            format!("`{text}`: use one of {}", names.join(", "))
        })
}

/// Run a `prax license` command.
pub fn run(command: LicenseCommand) -> anyhow::Result<()> {
    match command {
        LicenseCommand::Install(args) => install(args),
        LicenseCommand::Show(place) => show(&place),
        LicenseCommand::Keygen(args) => keygen(&args),
        LicenseCommand::Issue(args) => issue(&args),
        LicenseCommand::Sales(args) => super::sales_cmd::sales(&args),
        LicenseCommand::Resend(args) => super::sales_cmd::resend(&args),
    }
}

fn install(args: InstallArgs) -> anyhow::Result<()> {
    let mut text = String::new();
    if args.file == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the licence key from standard input")?;
    } else {
        text = std::fs::read_to_string(&args.file)
            .with_context(|| format!("cannot read {}", args.file))?;
    }
    let payload = token::verify(&text, &vendor::trusted())
        .with_context(|| format!("{}: not installed", args.file))?;
    let config = args.place.load()?;
    let runtime = super::store_runtime()?;
    let before = in_force(&config, &runtime).ok();
    let file = config.server.data_dir.join(KEY_FILE);
    std::fs::create_dir_all(&config.server.data_dir)
        .with_context(|| format!("cannot create {}", config.server.data_dir.display()))?;
    crate::fs_atomic::write_atomic(&file, format!("{}\n", text.trim()).as_bytes(), 0o600)
        .with_context(|| format!("cannot write {}", file.display()))?;
    if let (Some(before), Ok(after)) = (before, in_force(&config, &runtime)) {
        super::audit_cmd::record(
            &config,
            crate::api::license::licence_installed(
                crate::admin_audit::Actor::command_line(),
                &before,
                &after,
            ),
        );
    }
    println!(
        "installed licence {} for {}: {} tier, valid until {}",
        payload.id,
        payload.customer,
        payload.tier.title(),
        payload.valid_until
    );
    if Environment::process()
        .non_blank(&config.license.key_env)
        .is_some()
    {
        eprintln!(
            "note: {} is set and takes precedence over {}",
            config.license.key_env,
            file.display()
        );
    }
    Ok(())
}

/// The licence an installation runs under (what `prax serve` would find: its key, the
/// store's first uses). Blocking; `runtime` carries a PostgreSQL store's connections.
pub fn in_force(
    config: &Config,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<std::sync::Arc<LicenseStatus>> {
    let env = Environment::process();
    let location = config
        .store_location(&env)
        .map_err(|e| anyhow::anyhow!("`{}` {}", e.key, e.problem))?;
    let facts = crate::store::open_license_facts(&location, runtime.handle())?;
    Ok(Licensing::load(&config.license, &config.server.data_dir, &env, facts)?.status())
}

fn show(place: &StoreArgs) -> anyhow::Result<()> {
    let config = place.load()?;
    let runtime = super::store_runtime()?;
    let status = in_force(&config, &runtime)?;
    println!("{}", status.describe(OffsetDateTime::now_utc()));
    println!("tier in force: {}", status.tier.title());
    if let Some(payload) = &status.licence {
        println!(
            "licence: {} ({} <{}>)",
            payload.id, payload.customer, payload.email
        );
        println!("valid until: {}", payload.valid_until);
    }
    if let Some(at) = &status.activated_at {
        println!("activated here: {at}");
    }
    println!(
        "seats: {}",
        status
            .seats()
            .map_or_else(|| "unlimited".to_owned(), |n| n.to_string())
    );
    for feature in Feature::ALL {
        println!(
            "  [{}] {} ({} and up)",
            if status.allows(feature) { "x" } else { " " },
            feature.title(),
            feature.tier().title()
        );
    }
    Ok(())
}

fn keygen(args: &KeygenArgs) -> anyhow::Result<()> {
    let private = args.out.join("vendor.key");
    let public = args.out.join("vendor.pub");
    if private.exists() {
        bail!(
            "{} exists; licences signed with it rely on it: choose another --out",
            private.display()
        );
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let (key, text) = VendorKey::generate()?;
    crate::fs_atomic::write_atomic(&private, text.as_bytes(), 0o600)
        .with_context(|| format!("cannot write {}", private.display()))?;
    crate::fs_atomic::write_atomic(
        &public,
        format!("{}\n", key.public_key().to_text()).as_bytes(),
        0o644,
    )
    .with_context(|| format!("cannot write {}", public.display()))?;
    eprintln!(
        "wrote {} (keep it offline) and {}; release binaries trust it once its line is added to host/src/license/vendor_keys.pub",
        private.display(),
        public.display()
    );
    Ok(())
}

fn issue(args: &IssueArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.key)
        .with_context(|| format!("cannot read {}", args.key.display()))?;
    let key = VendorKey::parse(&text)?;
    let now = OffsetDateTime::now_utc();
    let stamp = |at: OffsetDateTime| at.format(&Rfc3339).unwrap_or_default();
    let id = match &args.id {
        Some(id) => id.clone(),
        None => format!("lic_{}", uuid::Uuid::now_v7().simple()),
    };
    if args.email.trim().is_empty() || !args.email.contains('@') {
        bail!("--email {}: not an e-mail address", args.email);
    }
    let valid_until = match (&args.until, args.days) {
        (Some(until), _) => OffsetDateTime::parse(until, &Rfc3339).with_context(|| {
            format!("--until {until}: not an RFC 3339 time, e.g. 2027-12-31T23:59:59Z")
        })?,
        (None, Some(days)) => now + time::Duration::days(i64::from(days)),
        (None, None) => bail!("give --days or --until"),
    };
    let payload = Payload {
        product: args.product.clone(),
        id,
        customer: args.customer.trim().to_owned(),
        email: args.email.trim().to_owned(),
        tier: args.tier,
        features: args.features.clone(),
        seats: args.seats,
        issued_at: stamp(now),
        valid_until: stamp(valid_until),
        key_id: key.public_key().key_id(),
    };
    println!("{}", token::issue(&payload, &key)?);
    Ok(())
}
