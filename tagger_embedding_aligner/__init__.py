"""Train, measure, export and publish aligners that turn L2-normalized embeddings back into WD tagger embeddings

Modules:

- `tagger_embedding_aligner.modality`: `tea-data-cos`: how close another model's embeddings land to the tagger's, measured on paired rows, and the `data_cos` prior of `robust` that follows from it.
- `tagger_embedding_aligner.perturb`: How another modality's embedding differs from the tagger's own: four kinds of error at an exact cosine, the inputs every converter is judged on besides the clean rows.
- `tagger_embedding_aligner.robust`: `robust`: the tagger embedding most likely behind a direction that may carry another modality's error, in closed form from the training rows' mean and covariance; exact on the tagger's own rows, and a trust score."""

__version__ = "0.1.0"
