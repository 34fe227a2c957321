// Package config turns the environment and the optional tenant file into one validated
// Config. Everything the process needs to know about its deployment is here, so nothing
// else reads the environment.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/yamlpos"
)

// Config is the whole deployment configuration.
type Config struct {
	Addr        string // SUREL_ADDR, listen address
	DataDir     string // SUREL_DATA_DIR, SQLite file, uploads, generated secret
	DatabaseURL string // SUREL_DATABASE_URL, "postgres://…" or "sqlite:PATH"
	BaseURL     string // SUREL_BASE_URL, used in links sent by e-mail
	SMTPURL     string // SUREL_SMTP_URL, smtp://user:pass@host:port; empty keeps mail in the outbox
	SMTPFrom    string // SUREL_SMTP_FROM, envelope and header sender
	SecretKey   []byte // SUREL_SECRET_KEY or SUREL_SECRET_KEY_FILE; generated under DataDir when absent
	ConfigFile  string // SUREL_CONFIG, tenant file (YAML)
	CatalogFile string // SUREL_CATALOG, service catalogue (YAML); empty uses the built-in one
	LogFormat   string // SUREL_LOG_FORMAT: "text" or "json"
	LogLevel    string // SUREL_LOG_LEVEL: debug, info, warn, error
	// TrustProxy makes the client address come from X-Forwarded-For (SUREL_TRUST_PROXY=1),
	// for deployments behind a reverse proxy; otherwise the header is ignored so a client
	// cannot pick its own rate-limit bucket.
	TrustProxy bool
	// HSTSMaxAge is the max-age of the Strict-Transport-Security header sent when the
	// base URL is https (SUREL_HSTS_MAX_AGE, seconds; 0 sends none). A year by default:
	// once a browser has seen it, it never again tries plain HTTP to the host, which an
	// attacker on the network could otherwise answer.
	HSTSMaxAge int
	// MetricsAddr is where /metrics is served on its own listener (SUREL_METRICS_ADDR,
	// loopback by default; "off" serves none): route counts, queue sizes and the Go
	// version are for the operator, not the public.
	MetricsAddr string
	// MetricsToken, when set (SUREL_METRICS_TOKEN or SUREL_METRICS_TOKEN_FILE), also
	// serves /metrics on the public address to a scraper presenting it as a bearer token.
	MetricsToken string
	// DBMaxConns bounds the process's PostgreSQL connections (SUREL_DB_MAX_CONNS).
	DBMaxConns int
	// Jobs sizes the background work.
	Jobs Jobs
	// Storage is where uploaded documents are kept (SUREL_STORAGE_URL).
	Storage Storage
	// Migrate applies pending migrations at start (SUREL_MIGRATE=auto, the default);
	// false (off) refuses to start on an older schema, for deployments that run
	// `surel migrate` before rolling out.
	Migrate bool
	Limits  Limits
	Tenants []Tenant
}

// Jobs sizes the background work of each process and how long its records are kept.
type Jobs struct {
	// MailWorkers and ProvisionWorkers bound the jobs running at once in one process,
	// per queue (SUREL_MAIL_WORKERS, SUREL_PROVISION_WORKERS).
	MailWorkers, ProvisionWorkers int
	// Retention is how long done jobs and sent mail are kept (SUREL_RETENTION_DAYS).
	Retention time.Duration
}

// Storage is where documents are kept: a directory of this machine (the default, for
// one process), or an S3-compatible bucket that several processes share.
type Storage struct {
	// Dir is the directory, when the bucket is not used: $SUREL_DATA_DIR/uploads.
	Dir string
	// S3 is the bucket, when SUREL_STORAGE_URL names one.
	S3 *S3Storage
}

// S3Storage is an S3-compatible bucket: SUREL_STORAGE_URL=s3://ACCESS_KEY@HOST[:PORT]/BUCKET[/PREFIX]
// (https; s3+http:// for a server on plain HTTP, such as one on loopback), the secret
// key in SUREL_STORAGE_SECRET or SUREL_STORAGE_SECRET_FILE, or as the URL's password.
type S3Storage struct {
	Endpoint  string // host:port
	TLS       bool
	Bucket    string
	Prefix    string // prepended to every object's name, "" or ending in "/"
	Region    string // ?region=…; empty asks the server
	AccessKey string
	SecretKey string
}

// DefaultMetricsAddr is the private /metrics listener: loopback, a port of the
// exporters' range.
const DefaultMetricsAddr = "127.0.0.1:9464"

// Limits bounds abuse of the authentication endpoints. The defaults suit a public portal;
// a load test may raise them.
type Limits struct {
	// AuthPerMinute is how many POSTs to login, register and reset one client address may
	// make per minute (SUREL_AUTH_RATE).
	AuthPerMinute int
	// CaptchaAfter is the number of failed logins for an account after which the captcha
	// is required at login.
	CaptchaAfter int
	// LockAfter failed logins lock an account for LockFor; the lock never exceeds
	// LockFor, and a password reset lifts it, so nobody can keep a victim out for good.
	LockAfter int
	LockFor   time.Duration
	// SessionIdle and SessionMax end a session after inactivity and after its age.
	SessionIdle time.Duration
	SessionMax  time.Duration
}

// Tenant is one office running the service: its name, hosts and account rules.
type Tenant struct {
	Slug  string   `yaml:"slug"`
	Name  string   `yaml:"name"`
	Hosts []string `yaml:"hosts"`
	// BaseURL is the tenant's public URL, which its mailed links start with; empty is
	// SUREL_BASE_URL with the host replaced by the first of Hosts (Config.TenantBaseURL).
	BaseURL    string `yaml:"base_url"`
	MailDomain string `yaml:"mail_domain"`
	// AddressPattern is the naming rule: firstname.lastname (default), firstnamelastname
	// or f.lastname.
	AddressPattern string `yaml:"address_pattern"`
	TimeZone       string `yaml:"time_zone"`
	// SOP names the workflow preset the tenant follows (kominfo, pematangsiantar,
	// palangkaraya, kaltim).
	SOP      string         `yaml:"sop"`
	Password PasswordPolicy `yaml:"password"`
	// Mail is the mail server the tenant's mailboxes are created on.
	Mail MailServer `yaml:"mail_server"`
	// FrontDesk is the office's counter, named to applicants who cannot use the portal
	// (no JavaScript, a site on plain HTTP).
	FrontDesk FrontDesk `yaml:"front_desk"`
	// Letters is how the tenant's official documents look and are numbered.
	Letters Letters `yaml:"letters"`
	// Roster is the scheduled import of the tenant's data kepegawaian, for offices that
	// export it from SIMPEG/SIASN.
	Roster RosterSource `yaml:"roster"`
	// InstitutionalMailboxes offers the "Email Instansi/Unit" service (mailboxes for
	// perangkat daerah, units, desa and public-service units) and collective requests
	// from an OPD. Unset, it is on for a pemda's tenant and off for the national one
	// (SOP kominfo, where SE MenPAN-RB 6/2013 makes the address personal).
	InstitutionalMailboxes *bool `yaml:"institutional_mailboxes"`
	// Archive is what the archive keeps.
	Archive Archive `yaml:"archive"`
	// DNS is the office's DNS server sub-domains are written on; without a driver the
	// sub-domain services are not offered.
	DNS DNS `yaml:"dns"`
	// DesaID is how the office handles desa.id applications.
	DesaID DesaID `yaml:"desa_id"`
	// Managed names the settings of the first-run page (/kantor/pengaturan/awal) that
	// the tenant file gives: name, mail_domain, sop, mail_server. The file is the source
	// for automation, so those are shown there read-only; the built-in default tenant
	// has none.
	Managed []string `yaml:"-"`
}

// Manages reports whether the tenant file gives the setting key (Managed).
func (t Tenant) Manages(key string) bool {
	for _, k := range t.Managed {
		if k == key {
			return true
		}
	}
	return false
}

// FirstRunKeys are the tenant file's keys that the first-run page also sets.
var FirstRunKeys = []string{"name", "mail_domain", "sop", "mail_server"}

// Institutional reports whether the tenant offers institutional mailboxes and
// collective requests (InstitutionalMailboxes, or its default).
func (t Tenant) Institutional() bool {
	if t.InstitutionalMailboxes != nil {
		return *t.InstitutionalMailboxes
	}
	return t.SOP != "" && t.SOP != "kominfo"
}

// Archive is a tenant's archive settings.
type Archive struct {
	// ScanRetentionDays is how many days after a request entered the archive its
	// uploaded scans are purged (their records, the request and its documents stay);
	// 0, the default, keeps them.
	ScanRetentionDays int `yaml:"scan_retention_days"`
}

// DNS is a tenant's DNS server, authoritative for Zone (docs/configuration.md, "Domains").
type DNS struct {
	// Driver is rfc2136 (dynamic updates signed with TSIG: BIND, Knot, PowerDNS) or
	// powerdns (its HTTP API); empty is no DNS server.
	Driver string `yaml:"driver"`
	Zone   string `yaml:"zone"`
	// Server is the primary's DNS address, host:port: rfc2136 sends its updates there,
	// and the test step of both drivers asks it.
	Server string `yaml:"server"`
	// The TSIG key (rfc2136) as the server names it; algorithm hmac-sha256 by default.
	KeyName    string `yaml:"key_name"`
	Algorithm  string `yaml:"algorithm"`
	Secret     string `yaml:"secret"`
	SecretFile string `yaml:"secret_file"` // read at start; sets Secret
	// The PowerDNS API (powerdns): http(s)://host:8081, its key and server id.
	APIURL     string `yaml:"api_url"`
	APIKey     string `yaml:"api_key"`
	APIKeyFile string `yaml:"api_key_file"` // read at start; sets APIKey
	ServerID   string `yaml:"server_id"`
	// TTL of the records written, seconds; 3600 when 0.
	TTL uint32 `yaml:"ttl"`
}

// DesaID is a tenant's handling of desa.id names.
type DesaID struct {
	// Free: the village pays no fee; the payment step is confirmed without a proof.
	Free bool `yaml:"free"`
}

// RosterSource is where the roster CSV is read daily: a file path, or an http(s) URL
// (fetched with If-Modified-Since). Empty: no scheduled import.
type RosterSource struct {
	Source string `yaml:"source"`
}

// FrontDesk is where and how applicants reach the office in person; all optional.
type FrontDesk struct {
	Address string `yaml:"address"`
	Hours   string `yaml:"hours"`
	Phone   string `yaml:"phone"`
	Email   string `yaml:"email"`
}

// Letters are a tenant's letter settings as the tenant file writes them: the kop
// surat, the signing official, the place letters are dated in, and the numbering of
// each kind of document (docs/configuration.md). Load checks them and fills Settings.
type Letters struct {
	Government string `yaml:"government"`
	Office     string `yaml:"office"`
	Address    string `yaml:"address"`
	Phone      string `yaml:"phone"`
	Email      string `yaml:"email"`
	Website    string `yaml:"website"`
	// Logo is the path of a PNG or JPEG file, read at start.
	Logo       string `yaml:"logo"`
	Place      string `yaml:"place"`
	OfficeCode string `yaml:"office_code"`
	Signer     struct {
		Jabatan string `yaml:"jabatan"`
		Name    string `yaml:"name"`
		Pangkat string `yaml:"pangkat"`
		NIP     string `yaml:"nip"`
	} `yaml:"signer"`
	// Numbering is the pattern and code of each kind (receipt, account_letter,
	// result_letter, report).
	Numbering map[string]struct {
		Pattern string `yaml:"pattern"`
		Code    string `yaml:"code"`
	} `yaml:"numbering"`
	// Settings is the above as internal/letter takes it, with the tenant's name and
	// slug as defaults and the logo's bytes.
	Settings letter.Settings `yaml:"-"`
}

// MailServer is where a tenant's mailboxes live (docs/mail-server.md).
type MailServer struct {
	// Driver is sql (the default: tables in surel's own database that Dovecot and
	// Postfix read), zimbra (the SOAP Admin API) or cpanel (cPanel's UAPI, for shared
	// hosting).
	Driver string `yaml:"driver"`
	// PasswordScheme is the hash the sql driver writes: ARGON2ID (default) or BLF-CRYPT.
	PasswordScheme string       `yaml:"password_scheme"`
	Zimbra         ZimbraServer `yaml:"zimbra"`
	CPanel         CPanelServer `yaml:"cpanel"`
	// IMAPAddr is where the account test logs in: host:port (STARTTLS when offered, TLS
	// on 993), imap://host:port or imaps://host:port. Empty leaves the test to staff.
	IMAPAddr string `yaml:"imap_addr"`
	// SyncAt is the time of day (HH:MM, the tenant's time zone) at which the leader
	// syncs the mail server into the registry daily, as "Sinkronkan sekarang" does;
	// empty is no periodic sync.
	SyncAt string `yaml:"sync_at"`
	// RetentionDays is how long a deactivated mailbox's data is kept on the server
	// before its purge may be asked; 0 is 365 days.
	RetentionDays int `yaml:"retention_days"`
	// LMTPAddr is where the account test delivers a message: host:port or the path of a
	// unix socket. Empty tests the login only.
	LMTPAddr string `yaml:"lmtp_addr"`
	// WebmailURL is given to the applicant with the credentials.
	WebmailURL string `yaml:"webmail_url"`
	// MaxCalls bounds the provisioning jobs calling this server at once from one
	// process (4 when zero): more wait their turn, and the other tenants' servers are
	// not held up by a slow one.
	MaxCalls int        `yaml:"max_calls"`
	Limits   MailLimits `yaml:"limits"`
}

// ZimbraServer is the admin service of a Zimbra server (docs/mail-server.md lists the
// rights its admin account needs).
type ZimbraServer struct {
	// URL is the admin service: https://mail.example.go.id:7071/service/admin/soap, or
	// the admin proxy on port 9071; a URL without a path gets /service/admin/soap.
	URL               string `yaml:"url"`
	AdminUser         string `yaml:"admin_user"`
	AdminPassword     string `yaml:"admin_password"`
	AdminPasswordFile string `yaml:"admin_password_file"` // read at start; sets AdminPassword
	// COS is the class of service (name or id) new accounts get; empty leaves the
	// domain's default.
	COS string `yaml:"cos"`
	// OwnerAttribute is the account attribute where the tenant records a mailbox's
	// owner (a NIP), read when listing the domain; empty is employeeNumber.
	OwnerAttribute string `yaml:"owner_attribute"`
	TLS            `yaml:",inline"`
}

// CPanelServer is a cPanel account reached through UAPI with an API token.
type CPanelServer struct {
	// URL is cPanel's service: https://host.example.co.id:2083.
	URL string `yaml:"url"`
	// User is the cPanel account's user name; Token an API token of it (cPanel »
	// Security » Manage API Tokens), or TokenFile a file holding it.
	User      string `yaml:"user"`
	Token     string `yaml:"token"`
	TokenFile string `yaml:"token_file"` // read at start; sets Token
	TLS       `yaml:",inline"`
}

// TLS adjusts the check of a mail server's certificate, for the common self-signed one.
type TLS struct {
	// CAFile is a PEM file of the CA that signed the server's certificate (or the
	// self-signed certificate itself).
	CAFile string `yaml:"ca_file"`
	// ServerName is the name the certificate must carry when it differs from the URL's
	// host (the server reached by IP or an internal name).
	ServerName string `yaml:"tls_server_name"`
}

// MailLimits bound a tenant's use of its mail server; the capacity check (seed 004 step
// 3) sets them against what the server reports. Sizes are written 500G, 2G, 512M (powers
// of 1024) or in bytes; zero means no bound.
type MailLimits struct {
	MaxAccounts  int    `yaml:"max_accounts"`
	TotalQuota   string `yaml:"total_quota"`
	DefaultQuota string `yaml:"default_quota"` // the quota of a new mailbox
	// The sizes in bytes, filled by Load.
	TotalQuotaBytes   int64 `yaml:"-"`
	DefaultQuotaBytes int64 `yaml:"-"`
}

// PasswordPolicy is a tenant's rule for portal passwords. The zero value is raised to the
// floor of the seed documents: six characters, letters and digits combined.
type PasswordPolicy struct {
	MinLength int `yaml:"min_length"`
	// RejectCommon refuses passwords from the embedded list of common and breached ones.
	RejectCommon bool `yaml:"reject_common"`
	// RejectPersonal refuses passwords that contain the user's name or e-mail local part.
	RejectPersonal bool `yaml:"reject_personal"`
}

// DefaultTenant is created on first run when no tenant file is given.
var defaultTenant = Tenant{
	Slug:           "kominfo",
	Name:           "Layanan Email Resmi Pemerintah",
	MailDomain:     "mail.go.id",
	AddressPattern: "firstname.lastname",
	TimeZone:       "Asia/Jakarta",
	SOP:            "kominfo",
	Password:       PasswordPolicy{MinLength: 6},
	Mail:           MailServer{Driver: "sql", PasswordScheme: "ARGON2ID"},
}

// Load reads the environment (through getenv, so tests need not touch the process) and
// the tenant file it names.
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		Addr:        or(getenv("SUREL_ADDR"), ":8080"),
		DataDir:     or(getenv("SUREL_DATA_DIR"), "data"),
		DatabaseURL: getenv("SUREL_DATABASE_URL"),
		BaseURL:     strings.TrimRight(getenv("SUREL_BASE_URL"), "/"),
		SMTPURL:     getenv("SUREL_SMTP_URL"),
		SMTPFrom:    getenv("SUREL_SMTP_FROM"),
		ConfigFile:  getenv("SUREL_CONFIG"),
		CatalogFile: getenv("SUREL_CATALOG"),
		LogFormat:   or(getenv("SUREL_LOG_FORMAT"), "text"),
		LogLevel:    or(getenv("SUREL_LOG_LEVEL"), "info"),
		TrustProxy:  getenv("SUREL_TRUST_PROXY") == "1",
		HSTSMaxAge:  365 * 24 * 3600,
		MetricsAddr: or(getenv("SUREL_METRICS_ADDR"), DefaultMetricsAddr),
		Migrate:     true,
		Jobs:        Jobs{MailWorkers: 4, ProvisionWorkers: 4, Retention: 90 * 24 * time.Hour},
		DBMaxConns:  20,
		Limits: Limits{
			AuthPerMinute: 20,
			CaptchaAfter:  3,
			LockAfter:     10,
			LockFor:       15 * time.Minute,
			SessionIdle:   2 * time.Hour,
			SessionMax:    7 * 24 * time.Hour,
		},
	}
	var errs []error
	if v := getenv("SUREL_AUTH_RATE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("SUREL_AUTH_RATE: want a positive whole number, got %q", v))
		}
		c.Limits.AuthPerMinute = n
	}
	if v := getenv("SUREL_HSTS_MAX_AGE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("SUREL_HSTS_MAX_AGE: want a number of seconds (0 sends no header), got %q", v))
		}
		c.HSTSMaxAge = n
	}
	if c.MetricsAddr == "off" {
		c.MetricsAddr = ""
	} else if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
		errs = append(errs, fmt.Errorf("SUREL_METRICS_ADDR: want host:port (127.0.0.1:9464) or off, got %q", c.MetricsAddr))
	}
	if tok, err := secretSetting(getenv, "SUREL_METRICS_TOKEN", 24); err != nil {
		errs = append(errs, err)
	} else {
		c.MetricsToken = tok
	}
	for name, dst := range map[string]*int{"SUREL_MAIL_WORKERS": &c.Jobs.MailWorkers, "SUREL_PROVISION_WORKERS": &c.Jobs.ProvisionWorkers,
		"SUREL_DB_MAX_CONNS": &c.DBMaxConns} {
		if v := getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				errs = append(errs, fmt.Errorf("%s: want a whole number from 1 to 1000, got %q", name, v))
			}
			*dst = n
		}
	}
	if c.DBMaxConns < 4 {
		errs = append(errs, fmt.Errorf("SUREL_DB_MAX_CONNS: want at least 4 (the leader's lock and the listener hold one each), got %d", c.DBMaxConns))
	}
	if v := getenv("SUREL_RETENTION_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("SUREL_RETENTION_DAYS: want a positive number of days, got %q", v))
		}
		c.Jobs.Retention = time.Duration(n) * 24 * time.Hour
	}
	if st, err := storage(getenv, c.DataDir); err != nil {
		errs = append(errs, err)
	} else {
		c.Storage = st
	}
	switch v := getenv("SUREL_MIGRATE"); v {
	case "", "auto":
	case "off":
		c.Migrate = false
	default:
		errs = append(errs, fmt.Errorf("SUREL_MIGRATE: want auto or off, got %q", v))
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, "surel.db")
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, errors.New("SUREL_DATABASE_URL: want postgres://… or sqlite:PATH"))
	}
	if c.BaseURL == "" {
		host := c.Addr
		if strings.HasPrefix(host, ":") {
			host = "localhost" + host
		}
		c.BaseURL = "http://" + host
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("SUREL_BASE_URL: want an http(s) URL, got %q", c.BaseURL))
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			errs = append(errs, errors.New("SUREL_SMTP_URL: want smtp://user:pass@host:port or smtps://…"))
		}
	}
	if c.SMTPFrom == "" {
		u, _ := url.Parse(c.BaseURL)
		host := "localhost"
		if u != nil && u.Hostname() != "" && u.Hostname() != "localhost" && !strings.Contains(u.Hostname(), ":") {
			host = u.Hostname()
		}
		c.SMTPFrom = "noreply@" + host
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("SUREL_LOG_FORMAT: want text or json, got %q", c.LogFormat))
	}

	key, err := secretKey(getenv, c.DataDir, !c.SQLite())
	if err != nil {
		errs = append(errs, err)
	}
	c.SecretKey = key

	c.Tenants = []Tenant{defaultTenant}
	if c.ConfigFile != "" {
		ts, err := loadTenants(c.ConfigFile)
		if err != nil {
			errs = append(errs, err)
		} else {
			c.Tenants = ts
		}
	}
	return c, errors.Join(errs...)
}

// Secure reports whether the deployment is reached over TLS, which decides the cookies'
// Secure attribute.
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// TenantBaseURL is the URL tenant t's mailed links (activation, reset, invitation,
// notifications) start with: its base_url, else SUREL_BASE_URL's scheme and port with
// its first host, else SUREL_BASE_URL. A link built on the deployment's one base URL
// led a second tenant's applicant to the first tenant, which did not know it.
func (c Config) TenantBaseURL(t Tenant) string {
	if t.BaseURL != "" {
		return strings.TrimRight(t.BaseURL, "/")
	}
	u, err := url.Parse(c.BaseURL)
	if len(t.Hosts) == 0 || err != nil {
		return c.BaseURL
	}
	host := t.Hosts[0]
	if p := u.Port(); p != "" {
		host = net.JoinHostPort(host, p)
	}
	u.Host = host
	return strings.TrimRight(u.String(), "/")
}

// PlainHTTPPublic reports a base URL of plain HTTP at a host other than this machine:
// browsers give such pages no Web Crypto, so the captcha cannot run and nobody can
// register or reset a password (localhost and loopback addresses are secure contexts).
func (c Config) PlainHTTPPublic() bool {
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Scheme != "http" {
		return false
	}
	h := u.Hostname()
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return false
	}
	ip := net.ParseIP(h)
	return ip == nil || !ip.IsLoopback()
}

// secretSetting reads an optional secret from the variable name or from the file
// named by name_FILE, of at least min characters.
func secretSetting(getenv func(string) string, name string, min int) (string, error) {
	v, file := getenv(name), getenv(name+"_FILE")
	switch {
	case v != "" && file != "":
		return "", fmt.Errorf("%s: give %s or %s_FILE, not both", name, name, name)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("%s_FILE: %w", name, err)
		}
		v = strings.TrimSpace(string(b))
		name += "_FILE"
	}
	if v != "" && len(v) < min {
		return "", fmt.Errorf("%s: want at least %d characters", name, min)
	}
	return v, nil
}

// storage reads SUREL_STORAGE_URL.
func storage(getenv func(string) string, dataDir string) (Storage, error) {
	raw := getenv("SUREL_STORAGE_URL")
	if raw == "" {
		return Storage{Dir: filepath.Join(dataDir, "uploads")}, nil
	}
	const want = "SUREL_STORAGE_URL: want s3://ACCESS_KEY@HOST[:PORT]/BUCKET[/PREFIX] (or s3+http:// for plain HTTP)"
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "s3" && u.Scheme != "s3+http") || u.Host == "" || u.User == nil || u.User.Username() == "" {
		return Storage{}, errors.New(want)
	}
	bucket, prefix, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
	if bucket == "" {
		return Storage{}, errors.New(want + ": the bucket is missing")
	}
	if prefix != "" {
		prefix += "/"
	}
	secret, err := secretSetting(getenv, "SUREL_STORAGE_SECRET", 1)
	if err != nil {
		return Storage{}, err
	}
	if pw, ok := u.User.Password(); ok {
		if secret != "" {
			return Storage{}, errors.New("SUREL_STORAGE_URL: the secret key is given twice (in the URL and in SUREL_STORAGE_SECRET)")
		}
		secret = pw
	}
	if secret == "" {
		return Storage{}, errors.New("SUREL_STORAGE_SECRET or SUREL_STORAGE_SECRET_FILE: the bucket's secret key is required")
	}
	return Storage{S3: &S3Storage{Endpoint: u.Host, TLS: u.Scheme == "s3", Bucket: bucket, Prefix: prefix,
		Region: u.Query().Get("region"), AccessKey: u.User.Username(), SecretKey: secret}}, nil
}

// SQLite tells whether the deployment runs on SQLite (one process) rather than
// PostgreSQL (one or several).
func (c Config) SQLite() bool { return strings.HasPrefix(c.DatabaseURL, "sqlite:") }

// secretKey reads the key; explicit (PostgreSQL) refuses to generate one: every
// process serving a shared database needs the same key, and one generated in a
// process's own data directory would differ from the others'.
func secretKey(getenv func(string) string, dataDir string, explicit bool) ([]byte, error) {
	if v := getenv("SUREL_SECRET_KEY"); v != "" {
		if len(v) < 32 {
			return nil, errors.New("SUREL_SECRET_KEY: want at least 32 characters")
		}
		return []byte(v), nil
	}
	path := getenv("SUREL_SECRET_KEY_FILE")
	generate := false
	if path == "" && explicit {
		return nil, errors.New("SUREL_SECRET_KEY or SUREL_SECRET_KEY_FILE: required with PostgreSQL " +
			"(every process of the deployment must use the same key; generate one with `openssl rand -hex 32`)")
	}
	if path == "" {
		// The embedded default must run with no set-up, so the key is generated once
		// and kept beside the database; losing it only logs everybody out.
		path = filepath.Join(dataDir, "secret.key")
		generate = true
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && generate {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return nil, fmt.Errorf("generate secret key: %w", err)
		}
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("generate secret key: %w", err)
		}
		b = []byte(hex.EncodeToString(raw))
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, fmt.Errorf("generate secret key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("SUREL_SECRET_KEY_FILE: %w", err)
	}
	k := strings.TrimSpace(string(b))
	if len(k) < 32 {
		return nil, fmt.Errorf("secret key in %s: want at least 32 characters", path)
	}
	return []byte(k), nil
}

type tenantFile struct {
	Tenants []Tenant `yaml:"tenants"`
}

func loadTenants(path string) ([]Tenant, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("SUREL_CONFIG: %w", err)
	}
	var f tenantFile
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(f.Tenants) == 0 {
		return nil, fmt.Errorf("%s: no tenants defined", path)
	}
	// Which keys the file gives, read once more as plain maps: the struct cannot tell a
	// key left out from one given empty.
	var keys struct {
		Tenants []map[string]any `yaml:"tenants"`
	}
	if yaml.Unmarshal(b, &keys) == nil && len(keys.Tenants) == len(f.Tenants) {
		for i, m := range keys.Tenants {
			for _, k := range FirstRunKeys {
				if _, ok := m[k]; ok {
					f.Tenants[i].Managed = append(f.Tenants[i].Managed, k)
				}
			}
		}
	}
	seen := map[string]bool{}
	var errs []error
	for i, t := range f.Tenants {
		where := fmt.Sprintf("tenants[%d]", i)
		if t.Slug == "" || strings.Trim(t.Slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			errs = append(errs, fmt.Errorf("%s.slug: want lower-case letters, digits and '-', got %q", where, t.Slug))
		}
		if seen[t.Slug] {
			errs = append(errs, fmt.Errorf("%s.slug: %q is defined twice", where, t.Slug))
		}
		seen[t.Slug] = true
		if t.Name == "" {
			errs = append(errs, fmt.Errorf("%s.name: required", where))
		}
		if t.BaseURL != "" {
			if u, err := url.Parse(t.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
				errs = append(errs, fmt.Errorf("%s.base_url: want the tenant's public URL, https://host[:port], got %q", where, t.BaseURL))
			}
		}
		if t.TimeZone == "" {
			f.Tenants[i].TimeZone = "Asia/Jakarta"
		} else if _, err := time.LoadLocation(t.TimeZone); err != nil {
			errs = append(errs, fmt.Errorf("%s.time_zone: %w", where, err))
		}
		switch t.AddressPattern {
		case "":
			f.Tenants[i].AddressPattern = "firstname.lastname"
		case "firstname.lastname", "firstnamelastname", "f.lastname":
		default:
			errs = append(errs, fmt.Errorf("%s.address_pattern: want firstname.lastname, firstnamelastname or f.lastname, got %q", where, t.AddressPattern))
		}
		switch t.SOP {
		case "":
			f.Tenants[i].SOP = "kominfo"
		case "kominfo", "pematangsiantar", "palangkaraya", "kaltim":
		default:
			errs = append(errs, fmt.Errorf("%s.sop: want kominfo, pematangsiantar, palangkaraya or kaltim, got %q", where, t.SOP))
		}
		if t.MailDomain == "" {
			errs = append(errs, fmt.Errorf("%s.mail_domain: required", where))
		}
		if t.Password.MinLength < 6 {
			// The seed's floor cannot be lowered by a tenant.
			f.Tenants[i].Password.MinLength = 6
		}
		errs = append(errs, CheckMailServer(where+".mail_server", &f.Tenants[i].Mail)...)
		errs = append(errs, checkDNS(where+".dns", &f.Tenants[i].DNS)...)
		errs = append(errs, checkLetters(where+".letters", &f.Tenants[i])...)
		if d := t.Archive.ScanRetentionDays; d < 0 || d > 36600 {
			errs = append(errs, fmt.Errorf("%s.archive.scan_retention_days: want a number of days from 0 (keep) to 36600, got %d", where, d))
		}
	}
	// Each check names its setting first; the index adds the file, line and column.
	return f.Tenants, yamlpos.New(path, b).Place(errs)
}

// CheckMailServer fills the defaults of a tenant's mail_server block, reads the Zimbra
// password file and parses the sizes, naming each setting it refuses (where is the
// block's path: tenants[0].mail_server). The first-run page's settings pass it too.
func CheckMailServer(where string, m *MailServer) []error {
	var errs []error
	if m.SyncAt != "" {
		if _, ok := ParseTimeOfDay(m.SyncAt); !ok {
			errs = append(errs, fmt.Errorf("%s.sync_at: want a time of day HH:MM (00:00 to 23:59, the tenant's time zone), got %q", where, m.SyncAt))
		}
	}
	switch m.Driver {
	case "":
		m.Driver = "sql"
	case "sql", "zimbra", "cpanel":
	default:
		errs = append(errs, fmt.Errorf("%s.driver: want sql, zimbra or cpanel, got %q", where, m.Driver))
	}
	switch m.PasswordScheme {
	case "":
		m.PasswordScheme = "ARGON2ID"
	case "ARGON2ID", "BLF-CRYPT":
	default:
		errs = append(errs, fmt.Errorf("%s.password_scheme: want ARGON2ID or BLF-CRYPT, got %q", where, m.PasswordScheme))
	}
	switch m.Driver {
	case "zimbra":
		z := &m.Zimbra
		u, err := url.Parse(z.URL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s.zimbra.url: want the admin service, https://host:7071/service/admin/soap (or the 9071 proxy), got %q", where, z.URL))
		} else if u.Path == "" || u.Path == "/" {
			u.Path = "/service/admin/soap"
			z.URL = u.String()
		}
		if z.AdminUser == "" {
			errs = append(errs, fmt.Errorf("%s.zimbra.admin_user: required", where))
		}
		errs = append(errs, readSecret(where+".zimbra.admin_password", &z.AdminPassword, z.AdminPasswordFile)...)
		errs = append(errs, z.TLS.check(where+".zimbra")...)
	case "cpanel":
		c := &m.CPanel
		if u, err := url.Parse(c.URL); err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") {
			errs = append(errs, fmt.Errorf("%s.cpanel.url: want cPanel's address, https://host:2083, got %q", where, c.URL))
		}
		if c.User == "" {
			errs = append(errs, fmt.Errorf("%s.cpanel.user: required (the cPanel account's user name)", where))
		}
		errs = append(errs, readSecret(where+".cpanel.token", &c.Token, c.TokenFile)...)
		errs = append(errs, c.TLS.check(where+".cpanel")...)
	}
	if m.WebmailURL != "" {
		if u, err := url.Parse(m.WebmailURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s.webmail_url: want an http(s) URL, got %q", where, m.WebmailURL))
		}
	}
	if m.IMAPAddr != "" {
		hp := strings.TrimPrefix(strings.TrimPrefix(m.IMAPAddr, "imaps://"), "imap://")
		if _, _, err := net.SplitHostPort(strings.TrimSuffix(hp, "/")); err != nil {
			errs = append(errs, fmt.Errorf("%s.imap_addr: want host:port, imap://host:port or imaps://host:port, got %q", where, m.IMAPAddr))
		}
	}
	if m.LMTPAddr != "" && !strings.HasPrefix(m.LMTPAddr, "/") && !strings.HasPrefix(m.LMTPAddr, "unix:") {
		if _, _, err := net.SplitHostPort(m.LMTPAddr); err != nil {
			errs = append(errs, fmt.Errorf("%s.lmtp_addr: want host:port or a unix socket path, got %q", where, m.LMTPAddr))
		}
	}
	l := &m.Limits
	if l.MaxAccounts < 0 {
		errs = append(errs, fmt.Errorf("%s.limits.max_accounts: want 0 (no bound) or more, got %d", where, l.MaxAccounts))
	}
	var err error
	if l.TotalQuotaBytes, err = parseSize(l.TotalQuota); err != nil {
		errs = append(errs, fmt.Errorf("%s.limits.total_quota: %w", where, err))
	}
	if l.DefaultQuotaBytes, err = parseSize(l.DefaultQuota); err != nil {
		errs = append(errs, fmt.Errorf("%s.limits.default_quota: %w", where, err))
	}
	if l.TotalQuotaBytes > 0 && l.DefaultQuotaBytes > l.TotalQuotaBytes {
		errs = append(errs, fmt.Errorf("%s.limits.default_quota: %s is more than total_quota %s", where, l.DefaultQuota, l.TotalQuota))
	}
	// Zimbra says what its class of service gives a new mailbox and cPanel its default
	// quota; Dovecot's quota_rule is out of surel's sight.
	if l.TotalQuotaBytes > 0 && l.DefaultQuotaBytes == 0 && m.Driver == "sql" {
		errs = append(errs, fmt.Errorf("%s.limits.default_quota: required with total_quota for driver sql (a mailbox without quota gets Dovecot's quota_rule, which cannot be counted against total_quota)", where))
	}
	return errs
}

// checkDNS checks a tenant's dns block and reads its secret files.
func checkDNS(where string, d *DNS) []error {
	var errs []error
	d.Zone = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d.Zone)), ".")
	switch d.Driver {
	case "":
		return nil
	case "rfc2136":
		if d.KeyName == "" {
			errs = append(errs, fmt.Errorf("%s.key_name: required for driver rfc2136 (the TSIG key's name as the server knows it)", where))
		}
		errs = append(errs, readSecret(where+".secret", &d.Secret, d.SecretFile)...)
	case "powerdns":
		if u, err := url.Parse(d.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s.api_url: want PowerDNS's API, http(s)://host:8081, got %q", where, d.APIURL))
		}
		errs = append(errs, readSecret(where+".api_key", &d.APIKey, d.APIKeyFile)...)
	default:
		errs = append(errs, fmt.Errorf("%s.driver: want rfc2136 or powerdns, got %q", where, d.Driver))
	}
	if d.Zone == "" || !strings.Contains(d.Zone, ".") {
		errs = append(errs, fmt.Errorf("%s.zone: required, the zone sub-domains are made in (palangkaraya.go.id)", where))
	}
	if d.Server == "" && d.Driver == "rfc2136" {
		errs = append(errs, fmt.Errorf("%s.server: required, the primary DNS server's host:port", where))
	}
	return errs
}

// readSecret fills value from file when file is given; name is the setting's path,
// whose "_file" variant names the file.
func readSecret(name string, value *string, file string) []error {
	switch {
	case *value != "" && file != "":
		return []error{fmt.Errorf("%s_file: give %s or %s_file, not both", name, shortName(name), shortName(name))}
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return []error{fmt.Errorf("%s_file: %w", name, err)}
		}
		if *value = strings.TrimSpace(string(b)); *value == "" {
			return []error{fmt.Errorf("%s_file: %s is empty", name, file)}
		}
	case *value == "":
		return []error{fmt.Errorf("%s: required (or %s_file)", name, shortName(name))}
	}
	return nil
}

func shortName(path string) string { return path[strings.LastIndexByte(path, '.')+1:] }

func (t TLS) check(where string) []error {
	var errs []error
	if t.CAFile != "" {
		if _, err := os.Stat(t.CAFile); err != nil {
			errs = append(errs, fmt.Errorf("%s.ca_file: %w", where, err))
		}
	}
	if t.ServerName != "" && (strings.ContainsAny(t.ServerName, "/: ") || !strings.Contains(t.ServerName, ".")) {
		errs = append(errs, fmt.Errorf("%s.tls_server_name: want a host name such as mail.example.go.id, got %q", where, t.ServerName))
	}
	return errs
}

// parseSize reads 500G, 2G, 512M, 100K, 1T (powers of 1024; a trailing B or iB is
// allowed) or a number of bytes; "" is 0.
func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = strings.TrimSpace(t[:n-1])
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("want a size such as 2G, 500M or a number of bytes, got %q", s)
	}
	return n * mult, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// ParseTimeOfDay reads a time of day "HH:MM" (00:00 to 23:59) as minutes after
// midnight.
func ParseTimeOfDay(v string) (int, bool) {
	if len(v) != 5 || v[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(v[:2])
	m, err2 := strconv.Atoi(v[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 || v[0] == '+' || v[3] == '+' || v[0] == '-' || v[3] == '-' {
		return 0, false
	}
	return h*60 + m, true
}
