"""The web face, ``screener serve`` (extra ``web``): the checklist as server-rendered pages
for people at reception or on a phone, and the API and CDS Hooks services for clinic
software. Stateless: answers travel in the page's own form fields, nothing is stored or
logged, so more capacity is more workers or replicas (see README 'screener serve')."""
