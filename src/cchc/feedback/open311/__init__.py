"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) for citizens' feedback.

A feedback topic is a *service* (``service_code`` = the topic's code), a feedback item a *service
request* (``service_request_id`` = its public number), and ``jurisdiction_id`` the agency's code.
``status`` is ``open`` or ``closed``; the native state travels in the extension fields
``cchc_state`` and ``cchc_state_label``, and ``expected_datetime`` is the deadline. Nothing
personal is published: no contact, no content, and the public summary and the (rounded)
location only once the answer is published.
"""
