"""The alert pages: your subscriptions (everyone), the channels (everyone), the deliveries (those allowed).

Channels are set up in the admin; pages never show a webhook's URL, which is a secret. The
deliveries page (what was sent, to whom, each try and why it failed) needs
``command_center.view_delivery``: superusers have it, and an administrator may give it to anyone.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.vary import vary_on_headers

from command_center.column_choice import Choice, Columns
from command_center.lists import Listing

from .digest import digest_seconds
from .filters import DELIVERY_SORTS, DeliveryFilter, deliveries_for_list
from .forms import SubscriptionForm
from .models import Alert, Channel, Delivery, Subscription, failing_after

VIEW_DELIVERIES = "command_center.view_delivery"


def subscription_list(request):
    """Your subscriptions, the form to add one, and your latest alerts."""
    form = SubscriptionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        subscription = form.save()
        messages.success(request, f"Subscribed: {describe(subscription)}.")
        return redirect("alerts:subscription_list")
    subscriptions = Subscription.objects.filter(user=request.user).select_related("channel", "carrier")
    latest = (
        Alert.objects.filter(subscription__user=request.user)
        .select_related("delivery")
        .order_by("-created_at", "-pk")[:20]
    )
    context = {
        "form": form,
        "subscriptions": [(subscription, describe(subscription)) for subscription in subscriptions],
        "latest": latest,
        "digest_minutes": round(digest_seconds() / 60, 1),
        "can_view_deliveries": request.user.has_perm(VIEW_DELIVERIES),
    }
    return TemplateResponse(request, "alerts/subscription_list.html", context, status=400 if form.errors else 200)


def subscription_delete(request, pk):
    """Unsubscribe (POST only: a GET goes back to the subscriptions). Only one's own."""
    if request.method != "POST":
        return redirect("alerts:subscription_list")
    subscription = get_object_or_404(Subscription, pk=pk, user=request.user)
    text = describe(subscription)
    subscription.delete()
    messages.success(request, f"Unsubscribed: {text}.")
    return redirect("alerts:subscription_list")


def describe(subscription: Subscription) -> str:
    """A subscription in words: "New attention items (Connection needs action, Beta Health) by E-mail"."""
    Topic = Subscription.Topic
    if subscription.topic == Topic.ATTENTION:
        what = "New attention items"
        detail = [subscription.get_attention_kind_display() if subscription.attention_kind else "any kind"]
    elif subscription.topic == Topic.FAMILY_STALE:
        from command_center.sync.families import kind_label

        what = (
            f"No successful {kind_label(subscription.family)} sync"
            if subscription.family
            else "No successful sync of a family"
        )
        return f"{what} for {subscription.stale_minutes} minutes, by {subscription.channel.name}"
    else:
        what, detail = "Failed retries and writes to Noyo", []
    detail.append(subscription.carrier.name if subscription.carrier_id else "any carrier")
    return f"{what} ({', '.join(detail)}) by {subscription.channel.name}"


def channel_list(request):
    """Every channel: its kind, whether it works, how many subscribe, what waits."""
    channels = Channel.objects.annotate(
        subscribers=Count("subscriptions", distinct=True),
        waiting=Count("subscriptions__alerts", filter=Q(subscriptions__alerts__delivery__isnull=True), distinct=True),
    ).order_by("name")
    context = {
        "channels": channels,
        "failing_after": failing_after(),
        "can_view_deliveries": request.user.has_perm(VIEW_DELIVERIES),
    }
    return TemplateResponse(request, "alerts/channel_list.html", context)


# The columns a person may choose (?cols=...); the list has no export.
DELIVERY_TABLE = Columns(
    Choice("made", "Made", required=True),
    Choice("channel", "Channel"),
    Choice("to", "To"),
    Choice("message", "Message"),
    Choice("alerts", "Alerts"),
    Choice("state", "State", required=True),
    Choice("tries", "Tries"),
    Choice("reason", "Why it failed"),
)


@permission_required(VIEW_DELIVERIES, raise_exception=True)
@vary_on_headers("HX-Request")
def delivery_list(request):
    """Every message sent or tried, newest first, with the channels' state above."""
    filterset = DeliveryFilter(request.GET, queryset=deliveries_for_list())
    listing = Listing(
        request,
        filterset,
        sorts=DELIVERY_SORTS,
        default_sort="-made",
        columns=DELIVERY_TABLE,
        extra_context={"channels": Channel.objects.order_by("name"), "failing_after": failing_after()},
    )
    return listing.render("alerts/delivery_list.html")


@permission_required(VIEW_DELIVERIES, raise_exception=True)
def delivery_detail(request, pk):
    delivery = get_object_or_404(Delivery.objects.select_related("channel", "user"), pk=pk)
    context = {
        "delivery": delivery,
        "alerts": delivery.alerts.select_related("subscription__user").order_by("occurred_at", "pk"),
    }
    return TemplateResponse(request, "alerts/delivery_detail.html", context)
