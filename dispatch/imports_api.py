"""Step 8 from the city's results: a CSV upload of return visits (the rules live in intake.importers)."""

from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.views import APIView

from dispatch.workflow import import_visits_and_advance
from intake.api import UPLOAD_SCHEMA, CanImportTickets, import_response, uploaded_csv


class VisitImportView(APIView):
    """POST return-visit results (CSV upload), imported whole or not at all."""

    permission_classes = [CanImportTickets]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(operation_id="imports_visits", summary="Import return-visit results (CSV)", **UPLOAD_SCHEMA)
    def post(self, request):
        upload = uploaded_csv(request)
        # stores the visits and moves the replied tickets on (replied -> visited, or closed when double-yes)
        result = import_visits_and_advance(upload, actor=request.user, file_name=upload.name)
        return import_response(result)
