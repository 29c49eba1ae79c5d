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
