from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    # Your subscriptions
    path("", views.subscription_list, name="subscription_list"),
    path("subscriptions/<int:pk>/delete", views.subscription_delete, name="subscription_delete"),
    # Channels (set up in the admin) and what was sent
    path("channels/", views.channel_list, name="channel_list"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery_detail"),
]
