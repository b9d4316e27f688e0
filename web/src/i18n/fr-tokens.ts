// The French UI text of the API tokens page: part of the fr table (fr.ts), typed after
// en-tokens.ts.

import type { enTokens } from './en-tokens'

export const frTokens: Record<keyof typeof enTokens, string> = {
  api_tokens: 'Jetons d’API',
  api_tokens_title: 'Jetons d’API de {org}',
  api_tokens_intro:
    'Un jeton permet à un autre outil d’appeler l’API REST pour cette organisation, en votre nom et dans les limites de votre rôle, restreint à ses portées. Envoyez-le dans l’en-tête Authorization: Bearer <jeton>. Il n’ouvre jamais l’éditeur en direct.',
  no_tokens: 'Aucun jeton pour l’instant.',
  token_name: 'Nom',
  token_scopes: 'Portées',
  token_created_by: 'Créé par',
  token_last_used: 'Dernière utilisation',
  token_never_used: 'Jamais',
  token_expires: 'Expiration',
  token_no_expiry: 'Jamais',
  token_expired: 'expiré',
  token_scope_read: 'Lecture',
  token_scope_read_hint: 'tout lire de l’organisation dans ce que l’API propose',
  token_scope_invoices: 'Factures',
  token_scope_invoices_hint: 'créer, modifier, soumettre, approuver et émettre des factures ; avoirs, commentaires',
  token_scope_payments: 'Paiements',
  token_scope_payments_hint: 'enregistrer paiements et remboursements, rapprocher les relevés bancaires',
  token_scope_admin: 'Administration',
  token_scope_admin_hint: 'paramètres, membres, jetons',
  token_expiry: 'Expiration',
  token_expiry_30: 'Dans 30 jours',
  token_expiry_90: 'Dans 90 jours',
  token_expiry_365: 'Dans un an',
  token_expiry_never: 'Jamais',
  create_token_title: 'Créer un jeton',
  create_token_intro: 'Donnez à chaque outil son propre jeton avec les seules portées dont il a besoin : vous pourrez en révoquer un sans arrêter les autres.',
  create_token: 'Créer le jeton',
  token_name_needed: 'Donnez un nom au jeton.',
  token_scopes_needed: 'Choisissez au moins une portée.',
  token_created: 'Jeton « {name} » créé.',
  token_secret: 'Jeton',
  token_secret_warning: 'Copiez-le maintenant : il n’est affiché que cette fois et ne pourra plus l’être. Gardez-le aussi secret qu’un mot de passe.',
  copy_token: 'Copier le jeton',
  token_secret_done: 'Je l’ai copié',
  revoke_token: 'Révoquer',
  revoke_token_of: 'Révoquer le jeton {name}',
  revoke_token_title: 'Révoquer le jeton « {name} » ?',
  revoke_token_text: 'Toute requête faite avec lui est refusée dès maintenant. Les outils qui l’utilisent s’arrêtent jusqu’à ce qu’ils reçoivent un nouveau jeton.',
  token_revoked: 'Jeton « {name} » révoqué.'
}
