from django.db import migrations, models


def add_books(apps, schema_editor):
    Author = apps.get_model("library", "Author")
    Book = apps.get_model("library", "Book")
    for i in range(20):
        Book.objects.create(title=f"Book {i + 1}", author=Author.objects.create(name=f"Author {i + 1}"))


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Author",
            fields=[("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")), ("name", models.CharField(max_length=100))],
        ),
        migrations.CreateModel(
            name="Book",
            fields=[
                ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200)),
                ("author", models.ForeignKey(on_delete=models.deletion.CASCADE, to="library.author")),
            ],
        ),
        migrations.RunPython(add_books, migrations.RunPython.noop),
    ]
