from django.urls import path

from . import views

urlpatterns = [
    path("", views.index),
    path("json", views.json_view),
    path("db", views.db_view),
    path("books", views.books),
    path("delay", views.delay),
    path("status/<int:code>", views.status),
]
