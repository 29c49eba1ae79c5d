site-name = SQE Certificate Registry
site-description = The public registry of SQE e-commerce platform service-quality certificates: check whether an SQE mark is real, valid, and how many stars it has.
skip-to-content = Skip to content
demo-banner-title = Demo data
demo-banner-text = This site currently holds demo data: every company, platform and certificate is fictitious and says nothing about any real evaluation.
nav-label = Main navigation
nav-browse = Browse and search
nav-about = About SQE
lang-name = English
footer-purpose = This registry publishes the true status of SQE e-commerce platform service-quality certificates (GB/T 31524 and GB/T 31526).
footer-time = All dates are in Beijing time
footer-report = Report a fake or misused mark

search-label = Search certificates
search-placeholder = Platform, company, web address, certificate number or credit code
search-button = Search
search-hint = For example: 京东, jd.com, https://www.example.com/item/1, a certificate number or a unified social credit code
stars-aria = { $n ->
    [one] { $n } star
   *[other] { $n } stars
}
certificate-number = Certificate no.

home-title = Home
home-heading = Check an SQE service-quality mark
home-lead = Is the SQE mark on a website real? Is the certificate valid? How many stars does it have today? Check here.
counts-heading = Registry figures
count-valid = Valid certificates
count-certificates = Certificates in all
count-companies = Certified companies
count-platforms = Platforms
what-heading = What SQE is
what-text = SQE is a third-party evaluation of e-commerce platform operators in China by a certification body, under the national standards GB/T 31524 and GB/T 31526. It covers product quality, promotion, returns and exchanges, complaints, personal privacy and online payment. A platform that passes earns a certificate with two to five stars. The grade goes up or down after each surveillance, and a certificate can be suspended, revoked or expire.
bands-heading = Stars and scores
bands-grade = Grade
bands-score = Score s (out of 100)
bands-count = Valid certificates
grade-fail = Fail
bands-note = The grade can be upgraded or downgraded after each surveillance.
read-more = Read more
events-heading = Latest public changes
events-none = No public changes yet.

grade-2 = Two stars (meets the standard)
grade-3 = Three stars
grade-4 = Four stars
grade-5 = Five stars

status-valid = Valid
status-suspended = Suspended
status-revoked = Revoked
status-cancelled = Cancelled
status-expired = Expired

type-b2c = B2C
type-b2b = B2B
type-c2c = C2C
type-cross-border = Cross-border
type-o2o = O2O
type-other = Other

event-issued = Issued
event-surveillance_passed = Surveillance passed
event-upgraded = Upgraded
event-downgraded = Downgraded
event-suspended = Suspended
event-restored = Restored
event-revoked = Revoked
event-cancelled = Cancelled
event-expired = Expired
event-renewed = Renewed (recertified)

assessment-initial = initial evaluation
assessment-surveillance = surveillance
assessment-special = special surveillance
assessment-recertification = recertification

sort-grade = Highest grade first
sort-name = Company name
sort-newest = Newest first
sort-expiry = Expiring soonest

search-title = Browse and search certificates
filters-legend = Filters
filter-stars = Stars
filter-any = Any
filter-status = Status
filter-province = Province
filter-type = Platform type
filter-scheme = Standard
filter-sort = Sort by
filters-apply = Apply filters
result-count = { $n ->
    [0] No results
    [one] 1 result
   *[other] { $n } results
}
result-count-more = More than { $n } results: narrow the search
matched-domain = Looked up as a web address: the platforms bound to { $host } or a parent domain.
matched-credit-code = Looked up as a unified social credit code.
matched-number = Looked up as a certificate number.
search-too-short = Please type at least two characters.
empty-domain-title = No SQE certificate covers { $host }
empty-title = No SQE certificate found
empty-text = This website or company holds no SQE certificate in the registry. If it shows an SQE mark, the mark is not genuine.
empty-report = How to report a fake mark
pager-label = Pages
pager-prev = Previous
pager-page = Page
pager-next = Next

verdict-kicker = Certificate check · no.
verdict-valid = Valid certificate · { $grade }
verdict-suspended = Certificate suspended
verdict-revoked = Certificate revoked
verdict-cancelled = Certificate cancelled
verdict-expired = Certificate expired
verdict-valid-detail = This platform may show the SQE mark on the websites listed below.
verdict-suspended-detail = The SQE mark may not be used while the certificate is suspended. A mark still shown on the website is not valid now.
verdict-revoked-detail = The certification body has revoked this certificate. The platform has no right to show the SQE mark.
verdict-cancelled-detail = The holder has cancelled this certificate. The platform no longer has the right to show the SQE mark.
verdict-expired-detail = This certificate expired on { $date } and was not renewed. The platform no longer has the right to show the SQE mark.
score = Score
as-of = As of { $date } (Beijing time)
domains-heading = Websites covered
domains-text = The SQE mark is valid only on these websites and their subdomains. Check your browser's address bar.
app = App
facts-heading = Certificate details
status = Status
grade = Grade
grade-last = Last grade: { $grade } (not valid now)
holder = Holder
credit-code = Unified social credit code
location = Location
platform = Platform
first-issued = First issued
issued = This certificate issued
expires = Valid until
last-assessment = Last assessment
next-surveillance = Next surveillance due
surveillance-overdue = Overdue (was due by { $date })
body = Certification body
approval-number = Approval no.
standard = Evaluated against
scope = Scope
profile-heading = Indicator profile
profile-date = Latest evaluation: { $date }.
profile-total = Total of that evaluation: { $value }.
profile-illustrative = Indicator names are illustrative.
indicator = Indicator
indicator-result = Points
indicator-chart = Chart
not-applicable = Not applicable
history-heading = Public history
covers-heading = What the mark covers
covers-text = SQE evaluates the platform operator's own service (operations, technology, personal data protection, transactions and after-sales service, …), not the goods or services of third-party sellers on the platform.

notfound-title = This certificate number is not in the registry
notfound-text = The registry has no certificate with this number. An SQE mark showing this number may be counterfeit.
notfound-what-heading = What you can do
notfound-step-typo = Check that the number was typed correctly (letters and digits).
notfound-step-search = Search by platform name, company name or web address.
notfound-step-report = Report a fake or misused mark

company-heading = Company details
address = Address
platforms-heading = Platforms operated
certificates-heading = Certificates
company-no-certificates = This company holds no registered certificate.

error-status = Status
error-home = Back to the home page
error-404-title = Page not found
error-400-title = Bad request
error-503-title = Service temporarily unavailable
error-500-title = Server error
error-404-message = There is nothing at this address. Certificate pages look like /certificates/NUMBER.
error-405-message = This address does not accept this kind of request.
error-400-message = The request could not be understood; please check the address.
error-503-message = The service is busy; please try again in a moment.
error-500-message = Something unexpected went wrong and has been logged. Please try again later.
error-bad-query = The query string could not be read.
error-bad-parameter = The value of “{ $value }” is not valid; please pick one of the filter options.
error-query-too-long = The search text is too long: at most { $value } characters.
error-bad-page = The page number must be a whole number from 1 to { $value }.
error-page-beyond = There is no such page: the results have { $value } pages.

about-title = About SQE

## The mark: badge, QR code, embed kit, printable certificate, misuse
error-bad-mark-parameter = “{ $value }” is not an option for this image: size is s, m or l; lang is zh-CN or en; theme is light or dark; scale is 1 or 2.
binding-warning-title = This mark is not valid for { $host }
binding-warning-text = You came here from { $host }. This certificate covers only the websites below and their subdomains; an SQE mark shown on { $host } does not show that that site was evaluated:
binding-warning-advice = Do not trust a site other than these because of the mark. If the site misuses the mark, please report it.
misuse-link = Confirmed misuse
mark-heading = SQE mark and QR code
qr-alt = QR code: scan to open this certificate's verification page
qr-text = Scan the QR code to open this page on a phone and check the certificate's live status. The QR code on printed material leads here too.
print-link = Printable certificate (A4)
embed-link = Embed kit for the platform (badge code and downloads)
mark-lang-zh-CN = Chinese
mark-lang-en = English
theme-light = light
theme-dark = dark
download-badge = Badge PNG: { $variant }
download-qr-png = QR code PNG ({ $size }×{ $size } px, for print)
download-qr-svg = QR code SVG (vector, any size)
embed-title = SQE mark embed kit
embed-lead = For the platform's web team: the live badge of certificate { $number }. Holder:
embed-not-valid-title = This mark must not be shown now
embed-not-valid-text = The certificate is not valid: the badge says so and shows no stars. Take the mark off the website until the certificate is valid again.
embed-rules-heading = Rules of use
embed-rule-domains = The mark may be shown only on the websites this certificate covers, and their subdomains:
embed-rule-valid = Only while the certificate is valid. The badge shows suspension, revocation, cancellation or expiry as it happens: do not replace it with a saved copy.
embed-rule-link = The badge must link to its verification page here, so consumers can check it in one click.
embed-rule-cache = Badges are cached for at most 5 minutes: a change of status shows on every page within 5 minutes.
embed-snippets-heading = Copy the code
embed-snippets-text = No JavaScript needed; width and height are set, so the page does not jump while the badge loads.
snippet-html = HTML (link and image)
snippet-picture = HTML (follows the visitor's dark mode)
snippet-markdown = Markdown
embed-previews-heading = Every variant
embed-downloads-heading = Downloads for print
embed-downloads-text = High-resolution PNGs for printed material and shops. Print the QR code next to the mark, so readers can check the live status.
print-title = SQE E-commerce Platform Service Quality Certificate
print-hint = Print this page with your browser's print command (Ctrl+P or ⌘P) on A4 paper.
print-back = Back to the verification page
print-void = This certificate is now “{ $status }” and must not be used as proof of certification.
print-scan = Scan the QR code to check this certificate's live status
print-note = A printed certificate shows the facts of the day it was printed. Grades change after surveillance, and certificates can be suspended or revoked: the registry's verification page is authoritative.
misuse-title = Confirmed misuse of the mark
misuse-lead = The certification body confirmed that these websites showed an SQE mark that is not theirs. A mark seen on these sites does not mean the site was evaluated.
misuse-count = { $n ->
    [one] One confirmed misuse
   *[other] { $n } confirmed misuses
}
misuse-empty = No misuse has been confirmed so far.
misuse-host = Website
misuse-certificate = Certificate misused
misuse-first-seen = First seen
misuse-confirmed = Confirmed on
misuse-how-heading = How misuse is found
misuse-how-text = Badges and their links are served by this registry. When a certificate's badge or verification page is requested from a website the certificate does not cover, the registry records it; the certification body checks, and confirmed cases are published here.
mark-not-found = There is no certificate with this number in the registry.

## Back office
admin-name = SQE Registry back office
admin-nav-dashboard = Dashboard
admin-nav-audit = Audit log
admin-nav-public = Public site
admin-logout = Log out
admin-role-admin = administrator
admin-role-evaluator = evaluator
admin-role-viewer = viewer
admin-login-title = Staff login
admin-login-lead = For staff of the certification body. Consumers do not need an account: every certificate is public.
admin-username = Username
admin-password = Password
admin-login-submit = Log in
admin-login-wrong = The username or the password is incorrect.
admin-login-throttled = Too many failed attempts. Please wait { $value } minutes and try again.
admin-forbidden = Your account may not do this: it needs the role “{ $value }” or higher.
admin-csrf = This form has expired or did not come from this site. Please go back, reload the page and try again.
admin-bad-form = The form could not be read.
admin-bad-date = Dates must be written as YYYY-MM-DD.
admin-concurrent = Someone else changed this certificate at the same moment. Nothing was saved; please reload the page and check.
admin-find-label = Open a certificate by its number
admin-count-due = Surveillance due ≤ 30 days or overdue
admin-count-suspensions = Suspensions past their end date
admin-count-sightings = Sightings to review
admin-due-heading = Surveillance due within 30 days or overdue
admin-due-lead = Certificates in force whose next surveillance (6 months after the initial evaluation, then at most every 12 months) falls within 30 days, most overdue first.
admin-suspensions-heading = Suspensions past their end date
admin-sightings-heading = Marks seen on unbound hosts
admin-sightings-lead = Pages that showed a certificate's badge or QR code on a host it is not bound to. Dismiss harmless ones (an agency's preview, say).
admin-confirm-hint = To publish a misuse warning on the certificate's page: sqe-registry sightings confirm.
admin-dismiss = Dismiss
admin-none = Nothing here.
admin-more = { $n ->
    [one] and one more
   *[other] and { $n } more
}
admin-overdue-days = { $n ->
    [one] overdue by one day
   *[other] overdue by { $n } days
}
admin-due-in-days = { $n ->
    [0] due today
    [one] due tomorrow
   *[other] due in { $n } days
}
admin-col-number = Certificate number
admin-col-holder = Holder
admin-col-status = Status
admin-col-due = Surveillance due
admin-col-until = Suspended until
admin-col-host = Host
admin-col-seen = Seen
admin-score = Score
admin-public-page = Public verification page
admin-issued-on = Issued on
admin-expires-on = Expires on
admin-last-assessed = Last assessment
admin-actions-heading = Lifecycle actions
admin-read-only = Your role is read-only.
admin-no-actions = This certificate has ended: nothing more can be done to it. A new certificate needs an initial evaluation.
admin-action-suspend = Suspend
admin-hint-suspend = The mark may not be used until the certificate is restored. The reason is published.
admin-action-restore = Restore
admin-hint-restore = Lifts the suspension: the certificate is valid again.
admin-action-revoke = Revoke
admin-hint-revoke = Final. The reason is published.
admin-action-cancel = Cancel
admin-hint-cancel = Final, at the holder's request.
admin-action-renew = Renew
admin-hint-renew = After a successful recertification: a new validity period from today.
admin-renew-period = { $n ->
    [one] The new validity period is one year.
   *[other] The new validity period is { $n } years.
}
admin-until = Suspended until (last day)
admin-reason-zh = Public reason (Chinese)
admin-reason-en = Public reason (English, optional)
admin-reason-required = A public reason in Chinese is required.
admin-reason-too-long = The reason is too long: at most 500 characters.
admin-bad-suspension-end = A suspension needs an end date after today and at most { $n } months away.
admin-refused-suspend = A certificate that is { $status } cannot be suspended.
admin-refused-restore = A certificate that is { $status } cannot be restored: only a suspended one can.
admin-refused-revoke = A certificate that is { $status } cannot be revoked.
admin-refused-cancel = A certificate that is { $status } cannot be cancelled.
admin-refused-renew = A certificate that is { $status } cannot be renewed: only a valid one can.
admin-events-heading = Public history
admin-audit-all = All audit entries for this certificate
admin-audit-lead = Every change, with who made it, when (UTC), and the record before and after. The log can only grow: nothing in the application edits or deletes it.
admin-audit-actor = Who
admin-audit-action = Action
admin-audit-record = Record
admin-audit-from = From
admin-audit-to = To
admin-audit-filter = Filter
admin-audit-csv = Download this selection as CSV
admin-audit-when = When (UTC)
admin-audit-change = Change
admin-audit-before = before
admin-audit-after = after
admin-audit-older = Older entries
error-403-title = Not allowed
error-409-title = Not possible now
admin-eval-title = Enter an evaluation
admin-eval-lead = A surveillance or special evaluation of this certificate. Score each first-level indicator, or mark it not applicable; the total is points earned ÷ points of the applicable items × 100, less special deductions. Preview before saving.
admin-eval-kind = Kind
admin-eval-kind-surveillance = Surveillance
admin-eval-kind-special = Special (unscheduled) evaluation
admin-eval-date = Date of the evaluation
admin-eval-scores = Scores per indicator
admin-eval-indicator = Indicator
admin-eval-points = Points earned
admin-eval-na = Not applicable
admin-eval-max = out of
admin-eval-deduction = Special deductions (points)
admin-eval-preview = Preview
admin-eval-save = Save the evaluation
admin-eval-preview-heading = If saved
admin-eval-preview-note = Nothing has been saved yet. Saving publishes the event on the certificate's page at once.
admin-eval-grade = Grade
admin-eval-fail = Below 70: the certificate will be suspended
admin-eval-event = Public event
admin-eval-bad-kind = Choose surveillance or special evaluation.
admin-eval-bad-deduction = The special deduction must be a number of points, 0 or more.
admin-eval-missing-score = Enter the points for indicator { $value }, or mark it not applicable.
admin-eval-score-range = The points for indicator { $value } must be between 0 and its maximum.
admin-eval-nothing-applies = At least one indicator must be scored.
admin-eval-bad-scheme = The scores do not match this certificate's scheme; please reload the form.
admin-eval-bad-date = The evaluation date must be after the last assessment and not in the future.
admin-eval-not-in-force = A certificate that is { $status } cannot be evaluated; a new certificate needs an initial evaluation.
admin-nav-accounts = Accounts
admin-accounts-lead = Staff accounts. Administrators manage accounts; evaluators record evaluations and lifecycle actions; viewers only read. A disabled account is signed out at once.
admin-accounts-role = Role
admin-accounts-disabled = Disabled
admin-accounts-save = Save
admin-accounts-new = New account
admin-accounts-again = Password again
admin-accounts-create = Create the account
admin-accounts-bad-username = The username must be 3–32 characters: lower-case letters, digits, “.”, “-” or “_”, starting with a letter.
admin-accounts-bad-password = The password must have 12 to 256 characters.
admin-accounts-bad-role = Choose a role: administrator, evaluator or viewer.
admin-accounts-mismatch = The two passwords differ.
admin-accounts-exists = This username is taken.
admin-accounts-not-yourself = You cannot demote or disable your own account; ask another administrator.
admin-binding-heading = Bound domains and scope
admin-binding-hint = The sites the mark may be shown on (one per line; addresses are accepted and normalised), and what the certificate covers. A domain bound to another platform is refused.
admin-binding-domains = Domains
admin-binding-scope-zh = Scope (Chinese)
admin-binding-scope-en = Scope (English, optional)
admin-binding-save = Save the binding
admin-binding-not-host = “{ $value }” is not a domain name.
admin-binding-empty = At least one domain is required.
admin-binding-too-many = At most { $value } domains.
admin-binding-taken = Already bound to another platform: { $value }.
admin-binding-scope = The scope must be given in Chinese.
admin-binding-ended = A certificate that is { $status } can no longer be changed.
