"""Wagtail hooks: the admin lists only what lessons.access.admin_scope allows. The page chooser's
lists go through `construct_page_chooser_queryset` (its other views are replaced in
lessons/access/admin_urls.py); the admin API's document and image endpoints, which Wagtail serves
unfiltered to every admin user, answer only with what the user may choose or change (their
Kanwil's collection)."""
from wagtail import hooks
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.permissions import policy_registry

from lessons.access.admin_scope import chooser_pages


@hooks.register("construct_page_chooser_queryset")
def only_readable_or_editable_pages(pages, request):
    return chooser_pages(request.user, pages)


class _CollectionScopedMixin:
    def get_queryset(self):
        allowed = policy_registry.get_by_type(self.model).instances_user_has_any_permission_for(
            self.request.user, ["choose", "change"])
        return super().get_queryset().filter(pk__in=allowed.values("pk"))


class ScopedDocumentsAdminAPIViewSet(_CollectionScopedMixin, DocumentsAdminAPIViewSet):
    pass


class ScopedImagesAdminAPIViewSet(_CollectionScopedMixin, ImagesAdminAPIViewSet):
    pass


@hooks.register("construct_admin_api", order=100)  # after Wagtail's own registrations
def scope_admin_api_endpoints(router):
    router.register_endpoint("documents", ScopedDocumentsAdminAPIViewSet)
    router.register_endpoint("images", ScopedImagesAdminAPIViewSet)
