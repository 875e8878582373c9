"""The site's URLs plus a stock Django admin for the page benchmark (tests/bench_pages.py): plain
ModelAdmins on the same tables, the anchor the pages are measured against. Not used by the site."""

from django.contrib import admin
from django.urls import path

from command_center.urls import urlpatterns as site_urlpatterns
from connections.models import Carrier, Group, GroupConnection
from members.models import MemberRequest

stock = admin.AdminSite(name="stock_admin")


class StockConnectionAdmin(admin.ModelAdmin):
    # The columns the connections list shows and sorts, its status filter and a text search: nothing tuned.
    list_display = (
        "group_name",
        "carrier",
        "carrier_group_id",
        "status",
        "request_type",
        "status_changed_at",
        "modified",
        "setup_error",
    )
    list_filter = ("status", "request_type", "carrier")
    search_fields = ("group_name", "carrier_group_id")


class StockMemberRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "request_type", "status", "created", "employee_id", "group_id")
    list_filter = ("status", "request_type")
    search_fields = ("id",)


class StockGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "dba_name", "organization_id", "modified")
    search_fields = ("name", "dba_name")


class StockCarrierAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)


stock.register(GroupConnection, StockConnectionAdmin)
stock.register(Group, StockGroupAdmin)
stock.register(Carrier, StockCarrierAdmin)
stock.register(MemberRequest, StockMemberRequestAdmin)

urlpatterns = [path("stock-admin/", stock.urls), *site_urlpatterns]
