package oauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"lexheller/intake/config"
)

// FetchError is why a token could not be had: the token endpoint's
// refusal (its OAuth2 error code and description), an HTTP status, or
// no answer.
type FetchError struct {
	Code        string // the OAuth2 error: invalid_client, unauthorized_client, invalid_grant, …
	Description string // its first line
	Status      int    // the HTTP status; 0 when the endpoint did not answer
	// Skew is how far the endpoint's clock (its Date header) is ahead of
	// ours, when that is more than a minute.
	Skew time.Duration
	Err  error
}

func (e *FetchError) Error() string {
	switch {
	case e.Code != "" && e.Description != "":
		return "token endpoint refuses the client: " + e.Code + ": " + e.Description
	case e.Code != "":
		return "token endpoint refuses the client: " + e.Code
	case e.Status != 0:
		return fmt.Sprintf("token endpoint answered HTTP %d", e.Status)
	}
	return fmt.Sprintf("token endpoint unreachable: %v", e.Err)
}

func (e *FetchError) Unwrap() error { return e.Err }

// Refused reports whether the endpoint refused the client (its
// configuration), rather than failing or not answering.
func (e *FetchError) Refused() bool { return e.Code != "" }

func newFetchError(err error, now time.Time) *FetchError {
	fe := &FetchError{Err: err}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fe
	}
	fe.Code, fe.Description = re.ErrorCode, firstLine(re.ErrorDescription)
	if fe.Code == "" {
		// x/oauth2/jwt (Google's grant) leaves the body unread.
		var body struct {
			Error            string `json:"error"`
			ErrorDescription string `json:"error_description"`
		}
		if json.Unmarshal(re.Body, &body) == nil {
			fe.Code, fe.Description = body.Error, firstLine(body.ErrorDescription)
		}
	}
	if re.Response != nil {
		fe.Status = re.Response.StatusCode
		if d, err := http.ParseTime(re.Response.Header.Get("Date")); err == nil {
			if skew := d.Sub(now); skew > time.Minute || skew < -time.Minute {
				fe.Skew = skew.Round(time.Second)
			}
		}
	}
	if fe.Code == "" && fe.Status >= 400 && fe.Status < 500 {
		fe.Code = http.StatusText(fe.Status)
	}
	return fe
}

// firstLine is the start of an error description: Entra ID's go on with
// trace and correlation ids over several lines.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	s, _, _ = strings.Cut(s, " Trace ID:")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return strings.TrimSpace(s)
}

var aadsts = regexp.MustCompile(`AADSTS(\d+)`)

// Advice says in one sentence what to do about an error of a token
// fetch, "" when it has none. o is the [oauth2] table the token was
// asked for with.
func Advice(err error, o *config.OAuth2) string {
	var fe *FetchError
	if errors.As(err, &fe) && o != nil {
		return fe.advice(o.Provider)
	}
	return ""
}

func (e *FetchError) advice(p config.Provider) string {
	skew := ""
	if e.Skew != 0 {
		skew = fmt.Sprintf("; this machine's clock is %s behind the token endpoint's (its Date header): fix the time (timedatectl; an NTP server)", e.Skew)
		if e.Skew < 0 {
			skew = fmt.Sprintf("; this machine's clock is %s ahead of the token endpoint's (its Date header): fix the time (timedatectl; an NTP server)", -e.Skew)
		}
	}
	if !e.Refused() {
		if e.Status >= 500 {
			return "the token endpoint fails; lexheller tries again later" + skew
		}
		return "the token endpoint cannot be reached: check the machine's DNS and that it may connect out to it over HTTPS (a proxy, a firewall)" + skew
	}
	var a string
	switch p {
	case config.Microsoft:
		a = microsoftAdvice(e)
	case config.Google:
		a = googleAdvice(e)
	}
	if a == "" {
		a = "check client_id and the client's secret or key in [oauth2], and that the client may use the client-credentials grant with these scopes"
	}
	return a + skew
}

// microsoftAdvice reads Entra ID's AADSTS code.
func microsoftAdvice(e *FetchError) string {
	code := ""
	if m := aadsts.FindStringSubmatch(e.Description); m != nil {
		code = m[1]
	}
	switch code {
	case "90002", "900023", "90013":
		return "wrong tenant: write the Directory (tenant) ID from the app registration's Overview page in tenant"
	case "700016":
		return "the app is not in that tenant: check client_id (Application (client) ID) and tenant (Directory (tenant) ID) on the app registration's Overview page"
	case "7000215", "7000216":
		return "the client secret is wrong: put the secret's Value (not its Secret ID) in client_secret_file"
	case "7000222":
		return "the client secret has expired: make a new one under Certificates & secrets and put its Value in client_secret_file"
	case "700027", "700023", "50012":
		return "Entra ID does not know the certificate: upload certificate_file under the app's Certificates & secrets → Certificates (and check private_key_file is its key)"
	case "700024", "700025":
		return "the client assertion is outside its valid time: this machine's clock is wrong; fix the time (timedatectl; an NTP server)"
	case "7000112", "7000114":
		return "the app (or its service principal) is disabled in Entra ID: enable it under Enterprise applications → the app → Properties"
	case "70011", "1002012":
		return "the scope is not one Entra ID takes: leave scopes out (https://outlook.office365.com/.default)"
	case "500011":
		return "Office 365 Exchange Online is not in this tenant, or the scope is wrong: check tenant and leave scopes out"
	case "65001", "650057", "501051":
		return "admin consent is missing: API permissions → Grant admin consent for the organisation"
	}
	return ""
}

// googleAdvice reads Google's error and description.
func googleAdvice(e *FetchError) string {
	d := strings.ToLower(e.Description)
	switch {
	case e.Code == "unauthorized_client":
		return "domain-wide delegation is missing: in the Admin console, Security → Access and data control → API controls → Domain-wide delegation, " +
			"add the service account's client ID with the scope https://mail.google.com/ (it may take a while to apply)"
	case strings.Contains(d, "invalid email") || strings.Contains(d, "user id"):
		return "the user the token acts for does not exist in the Workspace: check [oauth2] user, or the mailbox's username"
	case strings.Contains(d, "timeframe") || strings.Contains(d, "iat") || strings.Contains(d, "exp"):
		return "this machine's clock is wrong: fix the time (timedatectl; an NTP server)"
	case strings.Contains(d, "signature") || e.Code == "invalid_client" || strings.Contains(d, "not found"):
		return "Google does not know the service account's key (deleted, disabled, or the account removed): make a new JSON key and name it in service_account_file"
	}
	return ""
}

// LoginAdvice says what usually makes a mail server refuse a token the
// token endpoint gave, for proto "IMAP" or "SMTP".
func LoginAdvice(o *config.OAuth2, proto string) string {
	if o == nil {
		return ""
	}
	switch o.Provider {
	case config.Microsoft:
		a := "Exchange refused the app's token: in Exchange Online PowerShell, register the app's service principal " +
			"(New-ServicePrincipal -AppId <client_id> -ObjectId <the enterprise application's object ID>) and give it the mailbox " +
			"(Add-MailboxPermission -Identity <mailbox> -User <the service principal> -AccessRights FullAccess)"
		if proto == "SMTP" {
			return a + "; SMTP AUTH must be on for the mailbox (Set-CASMailbox <mailbox> -SmtpClientAuthenticationDisabled $false) and the app needs SMTP.SendAsApp"
		}
		return a + "; IMAP must be on for the mailbox (Set-CASMailbox <mailbox> -ImapEnabled $true) and the app needs IMAP.AccessAsApp"
	case config.Google:
		return "Google refused the token: the username must be the user the token acts for ([oauth2] user), and " + proto + " must be allowed for that user in the Admin console"
	}
	return "the server refused the token: check that it accepts tokens of this client for this mailbox"
}

// Exchange Online's audiences for IMAP and SMTP, and Microsoft Graph's.
var (
	exchangeAudiences = []string{"https://outlook.office365.com", "https://outlook.office.com", "00000002-0000-0ff1-ce00-000000000000"}
	graphAudiences    = []string{"https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"}
)

// Roles an app needs for IMAP and for SMTP in Exchange Online.
const (
	RoleIMAP = "IMAP.AccessAsApp"
	RoleSMTP = "SMTP.SendAsApp"
)

// msClaims are the claims of an Entra ID access token that say whether
// Exchange will take it.
type msClaims struct {
	jwt.RegisteredClaims
	Roles []string `json:"roles"`
	TID   string   `json:"tid"`
}

// CheckClaims reads a Microsoft access token (a JWT; its signature is
// Microsoft's to check) and says what in it Exchange will refuse for
// proto ("IMAP" or "SMTP"): the audience of another API, a tenant other
// than the configured one, no application permission (admin consent not
// granted) or not the one needed. nil when it sees nothing wrong, or the
// token is not a Microsoft JWT.
func CheckClaims(token string, o *config.OAuth2, proto string) error {
	if o == nil || o.Provider != config.Microsoft {
		return nil
	}
	var c msClaims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &c); err != nil {
		return nil
	}
	aud := []string(c.Audience)
	role := RoleIMAP
	if proto == "SMTP" {
		role = RoleSMTP
	}
	switch {
	case slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(graphAudiences, strings.TrimSuffix(a, "/")) }):
		return fmt.Errorf("the token is for Microsoft Graph, which Exchange refuses: leave scopes out of [oauth2] (https://outlook.office365.com/.default)")
	case len(aud) > 0 && !slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(exchangeAudiences, strings.TrimSuffix(a, "/")) }):
		return fmt.Errorf("the token's audience is %s, not Exchange Online (https://outlook.office365.com): leave scopes out of [oauth2]", strings.Join(aud, " "))
	case c.TID != "" && guid(o.Tenant) && !strings.EqualFold(c.TID, o.Tenant):
		return fmt.Errorf("the token is from tenant %s, not %s: the app registration is in another tenant than the mailbox's; check tenant", c.TID, o.Tenant)
	case len(c.Roles) == 0:
		return fmt.Errorf("the token carries no application permission: grant admin consent (Entra ID → App registrations → the app → API permissions → Grant admin consent), after adding %s", role)
	case !slices.Contains(c.Roles, role):
		return fmt.Errorf("the token lacks %s (it has %s): add it under API permissions → Add a permission → APIs my organization uses → Office 365 Exchange Online → Application permissions, then grant admin consent",
			role, strings.Join(c.Roles, ", "))
	}
	return nil
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func guid(s string) bool { return guidRE.MatchString(s) }
