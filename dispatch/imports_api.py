"""Step 8 from the city's results: a CSV upload of return visits (the rules live in intake.importers)."""

from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.views import APIView

from intake.api import UPLOAD_SCHEMA, CanImportTickets, import_response, uploaded_csv
from intake.importers import import_visits


class VisitImportView(APIView):
    """POST return-visit results (CSV upload), imported whole or not at all."""

    permission_classes = [CanImportTickets]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(operation_id="imports_visits", summary="Import return-visit results (CSV)", **UPLOAD_SCHEMA)
    def post(self, request):
        upload = uploaded_csv(request)
        result = import_visits(upload, actor=request.user, file_name=upload.name)
        # result.changed_ticket_ids: the tickets whose latest return visit changed (step 8 follows them)
        return import_response(result)
