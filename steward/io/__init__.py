"""Reading and writing files: kind sniffing, encodings, CSV and Excel readers, export."""
