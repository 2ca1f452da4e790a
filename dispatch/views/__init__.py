"""The staff pages of the workflow (issue 5): workbench, ticket page, unit inbox, sign-off queue.

Every page starts from ``dispatch.access`` (the same module as the API): a ticket this user may not
see is a 404. Every action posts to ``ticket.ticket_action``, which calls exactly one function of
``dispatch.workflow``; a DomainError comes back as a message in the user's language.
"""

from dispatch.views.header import page_header  # the context processor named in settings

__all__ = ["page_header"]
