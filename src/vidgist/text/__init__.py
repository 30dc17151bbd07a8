"""What is said, shown and written: sentences, embeddings, the extractive summary, chapters, OCR."""
